// ${VAR} and ${VAR:-default} expansion inside YAML scalar values. `$${` escapes a literal "${".

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export class MissingEnvError extends Error {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set (write \${${variable}:-default} to give a default)`);
  }
}

export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  if (value.indexOf('${') === -1) return value;
  return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const found = env[name!];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new MissingEnvError(name!);
  });
}
