// Text placed inside a C block comment of emitted code (node, tensor and model names come from
// the user's ONNX file): one line, and no "*/" that would end the comment early.

export function safeComment(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n]/g, ' ');
}
