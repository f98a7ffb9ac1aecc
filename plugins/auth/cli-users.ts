// `sluice user add|list|disable|enable` and `sluice team add|list|disable|enable`.
import type { CommandHost, CommandIO } from '../../core/index.js';
import { dateOnly, EXIT_OK, parseVerbArgs, requirePositional, runCli, UsageError, type CliContext } from './cli-support.js';
import { parseInput, teamCreate, userCreate } from './inputs.js';
import type { AuthOptions } from './options.js';
import type { TeamView, UserView } from './views.js';

export const USER_USAGE = `usage:
  sluice user add NAME [--team T] [--email E] [--json]
  sluice user list [--team T] [--json]
  sluice user disable NAME [--json]     all the user's keys stop working at once
  sluice user enable NAME [--json]
options: --config FILE (the gateway's config: its database and Redis)`;

export const TEAM_USAGE = `usage:
  sluice team add NAME [--json]
  sluice team list [--json]
  sluice team disable NAME [--json]     every key acting for the team stops working
  sluice team enable NAME [--json]
options: --config FILE (the gateway's config: its database and Redis)`;

const userRow = (u: UserView) => ({ name: u.name, team: u.team ?? '-', email: u.email ?? '-', status: u.status, created: dateOnly(u.created_at) });
const teamRow = (t: TeamView) => ({ name: t.name, status: t.status, created: dateOnly(t.created_at) });

async function show<T>(ctx: CliContext, json: boolean | undefined, value: T, text: string): Promise<number> {
  if (json) await ctx.json(value);
  else await ctx.out(text);
  return EXIT_OK;
}

export function runUserCommand(args: string[], options: AuthOptions, io: CommandIO, host: CommandHost): Promise<number> {
  return runCli('user', USER_USAGE, io, host, options, async (ctx) => {
    const [verb, ...rest] = args;
    switch (verb) {
      case 'add': {
        const { values, positionals } = parseVerbArgs(rest, { team: { type: 'string' }, email: { type: 'string' } }, 1);
        if (values.help) return (await ctx.out(USER_USAGE), EXIT_OK);
        const input = parseInput(userCreate, { name: requirePositional(positionals, 0, 'NAME'), team: values.team, email: values.email }, flagName);
        const user = await ctx.service.addUser(input);
        return show(ctx, values.json, user, `added user ${user.name}${user.team ? ` (team ${user.team})` : ''}`);
      }
      case 'list': {
        const { values } = parseVerbArgs(rest, { team: { type: 'string' } }, 0);
        if (values.help) return (await ctx.out(USER_USAGE), EXIT_OK);
        const users = await ctx.service.listUsers(values.team === undefined ? {} : { team: values.team });
        if (values.json) await ctx.json(users);
        else await ctx.table(users.map(userRow), ['name', 'team', 'email', 'status', 'created']);
        return EXIT_OK;
      }
      case 'disable': case 'enable': {
        const { values, positionals } = parseVerbArgs(rest, {}, 1);
        if (values.help) return (await ctx.out(USER_USAGE), EXIT_OK);
        const user = await ctx.service.setUserDisabled(requirePositional(positionals, 0, 'NAME'), verb === 'disable');
        return show(ctx, values.json, user, verb === 'disable' ? `disabled user ${user.name}: their keys no longer work` : `enabled user ${user.name}`);
      }
      case '--help': case '-h': case 'help':
        await ctx.out(USER_USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(verb === undefined ? 'missing a verb (add, list, disable, enable)' : `unknown verb "${verb}"`);
    }
  });
}

export function runTeamCommand(args: string[], options: AuthOptions, io: CommandIO, host: CommandHost): Promise<number> {
  return runCli('team', TEAM_USAGE, io, host, options, async (ctx) => {
    const [verb, ...rest] = args;
    switch (verb) {
      case 'add': {
        const { values, positionals } = parseVerbArgs(rest, {}, 1);
        if (values.help) return (await ctx.out(TEAM_USAGE), EXIT_OK);
        const team = await ctx.service.addTeam(parseInput(teamCreate, { name: requirePositional(positionals, 0, 'NAME') }, flagName));
        return show(ctx, values.json, team, `added team ${team.name}`);
      }
      case 'list': {
        const { values } = parseVerbArgs(rest, {}, 0);
        if (values.help) return (await ctx.out(TEAM_USAGE), EXIT_OK);
        const teams = await ctx.service.listTeams();
        if (values.json) await ctx.json(teams);
        else await ctx.table(teams.map(teamRow), ['name', 'status', 'created']);
        return EXIT_OK;
      }
      case 'disable': case 'enable': {
        const { values, positionals } = parseVerbArgs(rest, {}, 1);
        if (values.help) return (await ctx.out(TEAM_USAGE), EXIT_OK);
        const team = await ctx.service.setTeamDisabled(requirePositional(positionals, 0, 'NAME'), verb === 'disable');
        return show(ctx, values.json, team, `${verb}d team ${team.name}`);
      }
      case '--help': case '-h': case 'help':
        await ctx.out(TEAM_USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(verb === undefined ? 'missing a verb (add, list, disable, enable)' : `unknown verb "${verb}"`);
    }
  });
}

/** Input fields as the command line spells them: NAME, --team, --email. */
function flagName(param: string): string {
  return param === 'name' ? 'NAME' : `--${param}`;
}
