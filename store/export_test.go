package store

import "groupwatch/queries"

// GetPostParamsFor builds the generated query's parameters, for tests.
func GetPostParamsFor(source, externalID string) queries.GetPostParams {
	return queries.GetPostParams{Source: source, ExternalID: externalID}
}
