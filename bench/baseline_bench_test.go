package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/redis/go-redis/v9"

	"groupwatch/handlers"
	"groupwatch/pipeline"
	"groupwatch/queries"
	"groupwatch/textnorm"
)

// streamBatch is the baseline's XADD pipeline length and XREADGROUP COUNT.
const streamBatch = 100

// BenchmarkBaselineRedisStream is what Redis streams do with the same entries as posts.raw
// when nothing but go-redis stands between: one goroutine XADDs them in pipelines of 100
// while another reads them with XREADGROUP COUNT 100 and acks each batch with one XACK.
// msgs/s counts a message once, from first XADD to last XACK. It bounds what any one stage
// of the pipeline could do with a stream.
func BenchmarkBaselineRedisStream(b *testing.B) {
	skipUnlessReal(b)
	n := intKnob(b, *postsFlag, envPosts, 100_000)
	entries, size := streamEntries(b, cachedPosts(b, n))
	var elapsed time.Duration
	var cpu cpuTimes
	for range b.N {
		b.StopTimer()
		env := realEnv(b)
		rdb := env.Redis(b)
		stream := env.Topic("baseline.stream")
		ctx := context.Background()
		if err := rdb.XGroupCreateMkStream(ctx, stream, "baseline", "0").Err(); err != nil {
			b.Fatal(err)
		}
		cpuStart := readCPU(ctx, rdb, nil)
		b.StartTimer()
		start := time.Now()
		produced := make(chan error, 1)
		go func() { produced <- produce(ctx, rdb, stream, entries) }()
		if err := consume(ctx, rdb, stream, len(entries)); err != nil {
			b.Fatal(err)
		}
		if err := <-produced; err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		cpu = cpu.add(readCPU(ctx, rdb, nil).sub(cpuStart))
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "msgs/s")
	record(resultRedisStream, float64(n*b.N)/elapsed.Seconds())
	cpu.report(b, n*b.N, "msg", elapsed)
	b.ReportMetric(float64(size)/float64(n), "bytes/msg")
}

// streamEntries are the posts as the pipeline puts them on posts.raw, and their total size.
func streamEntries(b *testing.B, posts []benchPost) ([]map[string]any, int) {
	entries := make([]map[string]any, len(posts))
	size := 0
	for i, p := range posts {
		p.raw.ReceivedAt = time.Now().UTC()
		msg, err := pipeline.NewRawPostMessage(p.raw)
		if err != nil {
			b.Fatal(err)
		}
		values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal("", msg)
		if err != nil {
			b.Fatal(err)
		}
		entries[i] = values
		size += len(msg.Payload) + len(msg.UUID) + len(values["metadata"].([]byte))
	}
	return entries, size
}

func produce(ctx context.Context, rdb *redis.Client, stream string, entries []map[string]any) error {
	for start := 0; start < len(entries); start += streamBatch {
		pipe := rdb.Pipeline()
		for _, values := range entries[start:min(start+streamBatch, len(entries))] {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: values})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("cannot XADD: %w", err)
		}
	}
	return nil
}

func consume(ctx context.Context, rdb *redis.Client, stream string, want int) error {
	got := 0
	ids := make([]string, 0, streamBatch)
	for got < want {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: "baseline", Consumer: "c", Streams: []string{stream, ">"},
			Count: streamBatch, Block: 5 * time.Second,
		}).Result()
		if errors.Is(err, redis.Nil) {
			return fmt.Errorf("nothing to read for 5 s after %d of %d messages", got, want)
		}
		if err != nil {
			return fmt.Errorf("cannot XREADGROUP: %w", err)
		}
		ids = ids[:0]
		for _, s := range res {
			for _, m := range s.Messages {
				ids = append(ids, m.ID)
			}
		}
		if err := rdb.XAck(ctx, stream, "baseline", ids...).Err(); err != nil {
			return fmt.Errorf("cannot XACK: %w", err)
		}
		got += len(ids)
	}
	return nil
}

// upsertBatch is the baseline's rows per statement: the store's default MaxBatch.
const upsertBatch = 500

// BenchmarkBaselineMySQLUpsert is what MariaDB does with the normalize stage's write when
// nothing else happens: queries.UpsertPosts, the very statement the store's group commit
// sends, 500 new rows of the same posts at a time, from one writer and from two (the store's
// default Writers). It bounds what the normalize stage could store.
func BenchmarkBaselineMySQLUpsert(b *testing.B) {
	skipUnlessReal(b)
	n := intKnob(b, *postsFlag, envPosts, 100_000)
	rows := upsertRows(cachedPosts(b, n))
	for _, writers := range []int{1, 2} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			var elapsed time.Duration
			var cpu cpuTimes
			for range b.N {
				b.StopTimer()
				db := realEnv(b).DB(b)
				ctx := context.Background()
				cpuStart := readCPU(ctx, nil, db)
				b.StartTimer()
				start := time.Now()
				if err := upsertAll(ctx, db, rows, writers); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				cpu = cpu.add(readCPU(ctx, nil, db).sub(cpuStart))
			}
			b.ReportMetric(float64(len(rows)*b.N)/elapsed.Seconds(), "rows/s")
			if writers == 2 {
				record(resultMySQL2, float64(len(rows)*b.N)/elapsed.Seconds())
			}
			cpu.report(b, len(rows)*b.N, "row", elapsed)
		})
	}
}

// upsertRows are the posts as the store writes them.
func upsertRows(posts []benchPost) []queries.UpsertPostParams {
	now := time.Now().UTC()
	rows := make([]queries.UpsertPostParams, len(posts))
	for i, p := range posts {
		var posted sql.NullTime
		if p.raw.PostedAt != nil {
			posted = sql.NullTime{Time: p.raw.PostedAt.UTC(), Valid: true}
		}
		rows[i] = queries.UpsertPostParams{
			Source: p.raw.Source, ExternalID: p.raw.ExternalID, Author: p.raw.Author, Url: p.raw.URL,
			Text: p.raw.Text, ContentHash: handlers.ContentHash(textnorm.Normalize(p.raw.Text)),
			RawPayload: string(p.raw.Raw), MessageID: fmt.Sprintf("baseline-%d", i),
			PostedAt: posted, FirstSeenAt: now, UpdatedAt: now,
		}
	}
	return rows
}

// upsertAll writes rows in batches of upsertBatch, writers statements at a time.
func upsertAll(ctx context.Context, db *sql.DB, rows []queries.UpsertPostParams, writers int) error {
	q := queries.New(db)
	batches := make(chan []queries.UpsertPostParams)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				if err := q.UpsertPosts(ctx, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for start := 0; start < len(rows); start += upsertBatch {
		select {
		case batches <- rows[start:min(start+upsertBatch, len(rows))]:
		case err := <-errs:
			close(batches)
			wg.Wait()
			return err
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
