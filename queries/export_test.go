package queries

// PostsByExternalIDsSQL is the lookup's text, for tests that ask the server how it runs it.
const PostsByExternalIDsSQL = postsByExternalIDs
