// What the loop detector tells the model (a note) and the user (the final message when it stops a
// loop). Plain sentences: the model reads the note as an instruction, the user reads the message
// in their agent's transcript.
import type { RatedFinding } from './types.js';

function what(f: RatedFinding): string {
  const tools = f.tools.length ? f.tools.map((t) => `\`${t}\``).join(', ') : 'a tool';
  switch (f.type) {
    case 'REPEATED_TOOL_CALL':
      return `the last ${f.count} calls to ${tools} used the same arguments and returned the same result`;
    case 'TOOL_CYCLE':
      return `the same sequence of ${f.period ?? 2} calls (${tools}) has repeated ${f.count} times with the same results`;
    case 'TOOL_FAILURE_STREAK':
      return `${tools} has failed the same way ${f.count} times in a row`;
  }
}

export function noteFor(f: RatedFinding): string {
  return `[Sluice loop detector] Note: ${what(f)}. Repeating it will not change the result. `
    + 'Try a different approach, or stop and tell the user what is blocking you.';
}

export function blockMessageFor(f: RatedFinding): string {
  return `Stopped by Sluice's loop detector: ${what(f)}, so this turn was ended instead of calling the model again. `
    + 'Change the approach or the instructions, then continue.';
}
