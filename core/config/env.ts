// ${VAR} and ${VAR:-default} expansion inside YAML scalar values. `$${` escapes a literal "${".

// The last alternative catches a "${" that is neither: a typo such as ${OPENAI-KEY} or an unclosed
// ${KEY would otherwise reach a provider as the literal text, silently, as an API key or a URL.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/** A ${…} reference that cannot be expanded; the config loader adds where it stands. */
export class EnvReferenceError extends Error {}

export class MissingEnvError extends EnvReferenceError {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set (write \${${variable}:-default} to give a default)`);
  }
}

export class InvalidEnvReferenceError extends EnvReferenceError {
  constructor(readonly text: string) {
    super(`invalid environment reference "${text}": expected \${NAME} or \${NAME:-default}, NAME being letters, digits and _ (write $\${ for a literal \${)`);
  }
}

export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  if (value.indexOf('${') === -1) return value;
  return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      const close = value.indexOf('}', offset);
      throw new InvalidEnvReferenceError(close === -1 ? value.slice(offset) : value.slice(offset, close + 1));
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new MissingEnvError(name);
  });
}
