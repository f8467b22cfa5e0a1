package store_test

import "groupwatch"

func groupwatchSchema() string { return groupwatch.Schema }
