// Package crawl runs crawls: it fetches a source's pages politely, through plain HTTP or
// headless Chromium behind one interface (Pages), with the cookies of a logged-in account
// (never logged), a fixed User-Agent and Accept-Language, a rate limit with jitter per source
// and per account, and exponential backoff on server and network errors; it hands every
// response to the source's parser, publishes new posts and records where a run can resume.
// file:// URLs read saved pages, so a crawl can be replayed offline.
package crawl
