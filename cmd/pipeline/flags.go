package main

import (
	"errors"
	"log/slog"
	"os"

	"groupwatch/config"
	"groupwatch/pipeline"
)

// globalFlags are the flags every command takes.
type globalFlags struct {
	configPath string
	logLevel   string
	logFormat  string
}

func (g *globalFlags) logger() (*slog.Logger, error) {
	logger, err := pipeline.NewLogger(os.Stderr, g.logLevel, g.logFormat)
	if err != nil {
		return nil, err
	}
	pipeline.RouteLibraryLogs(logger)
	return logger, nil
}

func (g *globalFlags) config() (*config.Config, error) {
	path := g.configPath
	if path == "" {
		path = os.Getenv(config.EnvConfig)
	}
	if path == "" {
		return nil, errors.New("no configuration: pass --config FILE or set " + config.EnvConfig)
	}
	return config.Load(path)
}

// serverConfig is config for a command that needs a real Redis and MySQL: on the embedded
// default it says so (errNoServer).
func (g *globalFlags) serverConfig() (*config.Config, error) {
	cfg, err := g.config()
	if err != nil {
		return nil, err
	}
	if cfg.Embedded() {
		return nil, errNoServer
	}
	return cfg, nil
}

// errNoServer is what commands that need a real server say on the embedded default.
var errNoServer = errors.New("no Redis or MySQL configured: the in-process stand-ins live only inside 'pipeline run', " +
	"so this command would do nothing lasting. Use 'pipeline run --ingest FILE --drain', " +
	"or set redis.url and mysql.dsn (or " + config.EnvRedisURL + " and " + config.EnvMySQLDSN + ")")
