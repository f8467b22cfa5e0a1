package bench

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"groupwatch/config"
	"groupwatch/internal/testenv"
)

// benchConfig is the configuration the pipeline runs with: the environment's servers and
// topic prefix, the twenty rules, one file sink, and consumer counts when given (the
// configuration's defaults otherwise). It goes through config.Parse like any file would.
func benchConfig(env testenv.Env, consumers map[string]int, sinkPath string) (*config.Config, error) {
	q := func(s string) string {
		b, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		return string(b)
	}
	var y strings.Builder
	fmt.Fprintf(&y, "redis:\n  url: %s\n", q(env.RedisURL))
	fmt.Fprintf(&y, "mysql:\n  dsn: %s\n", q(env.MySQLDSN))
	fmt.Fprintf(&y, "topics:\n  prefix: %s\n", q(env.Prefix))
	if len(consumers) > 0 {
		stages := make([]string, 0, len(consumers))
		for s := range consumers {
			stages = append(stages, s)
		}
		sort.Strings(stages)
		y.WriteString("pipeline:\n  consumers:\n")
		for _, s := range stages {
			fmt.Fprintf(&y, "    %s: %d\n", s, consumers[s])
		}
	}
	fmt.Fprintf(&y, "sinks:\n  - name: alerts-file\n    type: file\n    path: %s\n", q(sinkPath))
	y.WriteString("rules:\n")
	for _, r := range benchRules {
		fmt.Fprintf(&y, "  - name: %s\n    query: %s\n    sinks: [alerts-file]\n", q(r.name), q(r.query))
	}
	cfg, err := config.Parse([]byte(y.String()))
	if err != nil {
		return nil, fmt.Errorf("benchmark configuration is invalid: %w", err)
	}
	if cfg.MySQL.DSN != env.MySQLDSN || cfg.Redis.URL != env.RedisURL {
		return nil, fmt.Errorf("%s or %s is set and would send the benchmark elsewhere: unset them",
			config.EnvRedisURL, config.EnvMySQLDSN)
	}
	return cfg, nil
}
