package bench

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// cpuTimes are the CPU time used so far by this process (the pipeline under test and the
// benchmark's publisher), Redis, MySQL and the whole machine; a zero field was not measurable.
// On a machine whose cores are shared, CPU time per post stays comparable between runs when
// wall-clock figures do not, and it shows which process the time goes to.
type cpuTimes struct {
	process, redis, mysql, host time.Duration
}

// readCPU reads the CPU times now; rdb or db may be nil to leave that server out.
func readCPU(ctx context.Context, rdb *redis.Client, db *sql.DB) cpuTimes {
	var c cpuTimes
	c.process, _ = processCPU()
	c.host, _ = hostBusy()
	if rdb != nil {
		c.redis, _ = redisCPU(ctx, rdb)
	}
	if db != nil {
		c.mysql, _ = mysqlCPU(ctx, db)
	}
	return c
}

func (c cpuTimes) sub(start cpuTimes) cpuTimes {
	d := func(end, start time.Duration) time.Duration {
		if end == 0 || start == 0 {
			return 0
		}
		return end - start
	}
	return cpuTimes{d(c.process, start.process), d(c.redis, start.redis), d(c.mysql, start.mysql), d(c.host, start.host)}
}

func (c cpuTimes) add(o cpuTimes) cpuTimes {
	return cpuTimes{c.process + o.process, c.redis + o.redis, c.mysql + o.mysql, c.host + o.host}
}

// report adds the CPU microseconds per item of each process that was measured, and
// other-cores: the cores that everything else on the machine (other processes, and kernel
// work not charged to a process) kept busy on average over elapsed. Well above 0.3 means the
// run shared the machine and its wall-clock figures are low.
func (c cpuTimes) report(b *testing.B, items int, unit string, elapsed time.Duration) {
	for _, m := range []struct {
		name string
		d    time.Duration
	}{{"go", c.process}, {"redis", c.redis}, {"mysql", c.mysql}} {
		if m.d > 0 {
			b.ReportMetric(float64(m.d.Microseconds())/float64(items), m.name+"-cpu-us/"+unit)
		}
	}
	if c.host > 0 && c.process > 0 && elapsed > 0 {
		other := c.host - c.process - c.redis - c.mysql
		b.ReportMetric(max(other.Seconds(), 0)/elapsed.Seconds(), "other-cores")
	}
}

// redisCPU is the CPU time the Redis server has used so far (INFO cpu), or false when it
// does not say.
func redisCPU(ctx context.Context, rdb *redis.Client) (time.Duration, bool) {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, false
	}
	var total float64
	found := 0
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (k != "used_cpu_sys" && k != "used_cpu_user") {
			continue
		}
		s, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		total += s
		found++
	}
	return time.Duration(total * float64(time.Second)), found == 2
}
