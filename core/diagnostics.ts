// One error type for everything a user can get wrong. The CLI turns it into one line and exit 2.

export const ExitCode = { ok: 0, mismatch: 1, badInput: 2, internal: 3 } as const;

export type DiagnosticKind =
  | 'corrupt-model'   // the bytes are not a valid ONNX model
  | 'unsupported'     // ops or features hsq does not handle
  | 'bad-shape'       // dynamic dims left open, inconsistent shapes
  | 'bad-input'       // input files, options, annotations or config
  | 'limit';          // a size beyond hsq's limits

export class HsqError extends Error {
  readonly kind: DiagnosticKind;
  /** Node, tensor, key or file the error is about, when there is one. */
  readonly subject?: string;
  constructor(kind: DiagnosticKind, message: string, subject?: string) {
    // Names in messages come from untrusted models: escape control characters so an error
    // always stays one line.
    super(oneLine(message));
    this.name = 'HsqError';
    this.kind = kind;
    this.subject = subject;
  }
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function fail(kind: DiagnosticKind, message: string, subject?: string): never {
  throw new HsqError(kind, message, subject);
}

/** Warnings go through one sink so the CLI, the API and tests can collect them. */
export type WarningSink = (message: string) => void;
let warningSink: WarningSink = (m) => process.stderr.write(`hsq: warning: ${m}\n`);
export function setWarningSink(sink: WarningSink): WarningSink {
  const prev = warningSink;
  warningSink = sink;
  return prev;
}
export function warn(message: string): void {
  warningSink(message);
}
