// A jest reporter: after the run, one line counting the suites (test files) that skipped tests
// for want of ../shared (their titles carry SHARED_MARK from tests/support/shared.ts), so a clone
// without the shared data passes and says how much it did not check.
const MARK = '[needs ../shared]';
const path = require('path');

class SharedSkipReporter {
  onRunComplete(_contexts, results) {
    const suites = [];
    let tests = 0;
    for (const file of results.testResults) {
      const skipped = file.testResults.filter((t) => t.status === 'pending' && t.fullName.includes(MARK)).length;
      if (skipped) { suites.push(path.basename(file.testFilePath)); tests += skipped; }
    }
    const line = suites.length === 0
      ? 'shared data: every suite ran (none skipped for want of ../shared)'
      : `shared data: ${suites.length} suite${suites.length === 1 ? '' : 's'} skipped ${tests} test${tests === 1 ? '' : 's'} that need ../shared (set HSQ_SHARED or put it beside the repo): ${suites.join(', ')}`;
    process.stdout.write(`${line}\n`);
    // .ci/run prints this again as its last line (jest's own summary comes after the reporters).
    if (process.env.HSQ_SKIP_SUMMARY) require('fs').writeFileSync(process.env.HSQ_SKIP_SUMMARY, `${line}\n`);
  }
}
module.exports = SharedSkipReporter;
