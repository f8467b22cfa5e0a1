// Package leader runs the work one process does for all (the quiet-source watch, digests,
// the daily ETL, stream trimming) while it holds a lease in Redis. The lease is renewed on
// its own timer, apart from the work, so a job that runs longer than the lease keeps it, and
// a job's context ends as soon as the lease is lost, so two leaders never work at once. Each
// job names the store methods it needs in an interface of its own (DigestStore,
// SourceLister, DayCounter).
package leader
