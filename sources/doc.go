// Package sources turns fetched pages of the communities groupwatch watches into posts: a
// Facebook group or page feed (today's www.facebook.com pages and their /api/graphql/
// answers, or the m.facebook.com markup of 2020–2021), RSS, Atom and JSON feeds, or any
// listing page read through CSS selectors from a file. Each page is classified first, so a crawler can tell a login wall
// or a temporary block from a page that simply has no new posts.
package sources
