// hsq's command line. Each command is a module in driver/commands; errors map to exit codes:
// 0 ok, 1 verification mismatch, 2 bad input, 3 internal error.
import yargs from 'yargs';
import { HsqError, ExitCode } from '../core/diagnostics';
import { commands } from './commands';
import { packageVersion } from '../core/package-files';

const VERSION: string = packageVersion();

export async function main(argv: string[]): Promise<void> {
  let code: number = ExitCode.ok;
  try {
    const parser = yargs(argv)
      .scriptName('hsq')
      .usage('hsq: heterogeneous sub-INT8 deployment of ONNX models on MCUs\n\nUsage: $0 <command> [options]')
      .version(VERSION)
      .strict()
      .demandCommand(1, 'Name a command: see hsq --help')
      .recommendCommands()
      .example('$0 inspect model.onnx', 'per-layer shapes, quantization, MACs, weight bytes')
      .example('$0 run model.onnx --inputs test_data_set_0 -o out/', 'run the reference interpreter')
      .example('$0 compile model.onnx --target host -o build/', 'emit C for the host')
      .example('$0 compile tiny.onnx --target stm32n6 --calib random --precision conv7,conv8=w4a8 -o build/', 'INT8 on the NPU, 4-bit layers on the Cortex-M55')
      .example('$0 verify model.onnx --target cortex-m55 --random 2', 'generated C in QEMU vs the interpreter and ONNX Runtime')
      .example('$0 passes', 'list the compiler passes (for --dump-after)')
      .fail((msg, err) => {
        if (err) throw err;
        const plain = plainArgumentError(msg ?? 'invalid arguments');
        throw new HsqError('bad-input', plain.message, plain.subject);
      })
      .help()
      .wrap(Math.min(110, process.stdout.columns || 100));
    for (const c of commands) parser.command(c);
    await parser.parseAsync();
    // Handlers that judge (verify) set process.exitCode themselves.
    code = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (e) {
    code = reportError(e, wantsJson(argv));
  }
  process.exitCode = code;
}

/** `--json` anywhere on the command line (yargs may have failed before parsing it). */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--json' || a === '--json=true');
}

/**
 * yargs' own messages as one plain line: "Invalid values:\n  Argument: engine, Given: "foo",
 * Choices: "interpreter", "c"" becomes `--engine "foo": expected one of interpreter, c`.
 */
export function plainArgumentError(msg: string): { message: string; subject?: string } {
  const choice = /Argument: ([^,]+), Given: (.*?), Choices: (.*)$/s.exec(msg);
  if (choice) {
    const choices = choice[3].split(/,\s*/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    return { message: `--${choice[1]} ${choice[2].trim()}: expected one of ${choices.join(', ')}`, subject: `--${choice[1]}` };
  }
  const missing = /^Missing required arguments?: (.*)$/s.exec(msg.trim());
  if (missing) {
    const names = missing[1].split(/,\s*/).map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    return { message: `missing ${names.join(', ')}`, subject: names[0] };
  }
  return { message: msg.replace(/\s*\n\s*/g, '; ').trim() };
}

/** One line on stderr; with --json also `{ "ok": false, "error", "kind", "subject" }` on stdout. */
export function reportError(e: unknown, json = false): number {
  if (e instanceof HsqError) {
    process.stderr.write(`hsq: error: ${e.message.split('\n')[0]}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: e.message.split('\n')[0], kind: e.kind, subject: e.subject ?? null })}\n`);
    return ExitCode.badInput;
  }
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: String((e as Error)?.message ?? e).split('\n')[0], kind: 'internal', subject: null })}\n`);
  const err = e as Error;
  process.stderr.write(`hsq: internal error: ${err?.message ?? String(e)}\n` +
    `This is a bug in hsq; please report it with the model and command (HSQ_DEBUG=1 shows the stack).\n`);
  if (process.env.HSQ_DEBUG) process.stderr.write(`${err?.stack}\n`);
  return ExitCode.internal;
}
