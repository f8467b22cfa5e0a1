// Package crawl fetches the pages of crawled sources politely: cookies of a logged-in account
// (never logged), a fixed User-Agent and Accept-Language, a rate limit with jitter per source
// and per account, and exponential backoff on server and network errors. file:// URLs read
// saved pages, so a crawl can be replayed offline.
package crawl
