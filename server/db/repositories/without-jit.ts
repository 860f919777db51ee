// Postgres compiles a statement with LLVM when the planner's estimate passes jit_above_cost
// (100,000 by default): 25–120 ms of database CPU each time, worth it only for scans that run for
// seconds. Ingest's roll-up and the usage compaction are planned per call, and their estimates
// grow with the batch (or the backlog) whatever the statement then finds, so past the threshold
// every call paid the compilation for a statement that runs in milliseconds.
//
// They run without it: the first statement of their transaction selects this expression. It is
// transaction-local (set_config's `true`), so the pooled connection's later queries keep the
// server's setting, and it holds behind a transaction-mode pooler, which a startup option of the
// connection would not pass. It applies to the statements planned after it in the transaction.

/** A select-list expression that turns JIT off for the rest of the transaction. */
export const JIT_OFF_FOR_TRANSACTION = "set_config('jit', 'off', true)";
