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
        throw new HsqError('bad-input', msg ?? 'invalid arguments');
      })
      .help()
      .wrap(Math.min(110, process.stdout.columns || 100));
    for (const c of commands) parser.command(c);
    await parser.parseAsync();
    // Handlers that judge (verify) set process.exitCode themselves.
    code = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (e) {
    code = reportError(e);
  }
  process.exitCode = code;
}

export function reportError(e: unknown): number {
  if (e instanceof HsqError) {
    process.stderr.write(`hsq: error: ${e.message.split('\n')[0]}\n`);
    return ExitCode.badInput;
  }
  const err = e as Error;
  process.stderr.write(`hsq: internal error: ${err?.message ?? String(e)}\n` +
    `This is a bug in hsq; please report it with the model and command (HSQ_DEBUG=1 shows the stack).\n`);
  if (process.env.HSQ_DEBUG) process.stderr.write(`${err?.stack}\n`);
  return ExitCode.internal;
}
