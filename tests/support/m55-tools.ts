// Whether the tests that build for and run on the emulated Cortex-M55 (arm-none-eabi-gcc,
// qemu-system-arm) and estimate cycles (llvm-19) can run. They fail, never skip, when CI is set;
// locally HSQ_SKIP_ARM=1 skips them with a message.
import { armToolchainStatus, ARM_APT_PACKAGES } from '../../toolchain/qemu';
import { llvmStatus, LLVM_APT_PACKAGE } from '../../bench/cycles/mca';

export function m55Tools(withLlvm: boolean): { ok: boolean; reason?: string } {
  const arm = armToolchainStatus();
  const llvm = withLlvm ? llvmStatus() : { ok: true };
  const reasons = [arm.reason, llvm.reason].filter(Boolean);
  return reasons.length ? { ok: false, reason: reasons.join('; ') } : { ok: true };
}

/** describe or describe.skip, and the check to call first in beforeAll/test. */
export function m55Suite(name: string, withLlvm: boolean) {
  const st = m55Tools(withLlvm);
  const skip = !st.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
  if (skip) console.log(`${name}: skipped (HSQ_SKIP_ARM=1): ${st.reason}`);
  return {
    maybe: skip ? describe.skip : describe,
    require(): void {
      if (!st.ok)
        throw new Error(`${name} needs the ARM toolchain, QEMU${withLlvm ? ' and llvm-19' : ''}${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${st.reason} [apt packages: ${[...ARM_APT_PACKAGES, ...(withLlvm ? [LLVM_APT_PACKAGE] : [])].join(' ')}]`);
    },
  };
}
