// An exception thrown inside a promise reaction (a .then callback) rejects the derived
// promise; nobody handles it, so the program exits with 1 once the job queue is empty.
// Jobs queued before and after it still run, and stdout keeps what they printed.
const steps = [];
Promise.resolve(1)
  .then(v => { steps.push(`step ${v}`); return v + 1; })
  .then(v => { steps.push(`step ${v}`); throw new SyntaxError(`thrown-inside-then at step ${v}`); })
  .then(() => steps.push("skipped: the chain is rejected"));
Promise.resolve().then(() => Promise.resolve()).then(() => print("sibling jobs ran; steps:", steps.join(", ")));
print("script body finished first");
