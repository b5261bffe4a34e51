// A promise job that always queues another: the job loop never drains.
function again() { Promise.resolve().then(again); }
again();
