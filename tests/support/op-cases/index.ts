// Every generated conformance case, from the descriptors (tests/support/op-cases/case.ts).
import { OpCase } from './case';
import { convTransposeCases, quantizedConvTransposeCases } from './conv-transpose';
import { miscCases } from './misc';
import { reduceCases } from './reduce';
import { resizeCases } from './resize';
import { rnnCases } from './rnn';

export const OP_CASES: readonly OpCase[] = [...reduceCases(), ...convTransposeCases(), ...quantizedConvTransposeCases(), ...resizeCases(), ...miscCases(), ...rnnCases()];
