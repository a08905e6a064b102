// The host target: portable C99 built and run on the build machine. Its description is data
// (target.json); the emitter is the shared C emitter (targets/c).
import target from './target.json';

export interface HostTarget {
  readonly name: string;
  readonly description: string;
  readonly cc: string;
  readonly cflags: readonly string[];
  readonly sanitizeFlags: readonly string[];
  readonly activationLayout: 'nhwc';
  readonly weights: { readonly align: number; readonly section: string; readonly formats: readonly string[] };
  readonly precisions: { readonly weights: readonly number[]; readonly activations: readonly number[]; readonly float: boolean };
}

export const HOST_TARGET: HostTarget = target as HostTarget;
