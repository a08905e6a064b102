// Every generated conformance case, from the descriptors (tests/support/op-cases/case.ts).
import { OpCase } from './case';
import { convTransposeCases } from './conv-transpose';
import { miscCases } from './misc';
import { reduceCases } from './reduce';
import { resizeCases } from './resize';

export const OP_CASES: readonly OpCase[] = [...reduceCases(), ...convTransposeCases(), ...resizeCases(), ...miscCases()];
