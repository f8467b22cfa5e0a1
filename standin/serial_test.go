//go:build !noembedded

package standin

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	_ "github.com/go-sql-driver/mysql"
)

// Clients on connections of their own (two processes, say) writing at once lose no row,
// and their transactions land whole: the stand-in runs them one at a time.
func TestConcurrentConnectionsLoseNoWrite(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	open := func() *sql.DB {
		db, err := sql.Open("mysql", s.MySQLDSN)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1) // one connection each, as a pipeline process on the stand-in
		t.Cleanup(func() { db.Close() })
		return db
	}
	setup := open()
	for _, q := range []string{
		"CREATE TABLE hits (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL, n INT NOT NULL)",
		"CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL)",
		"INSERT INTO counter VALUES (1, 0)",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const clients, writes = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		db := open()
		wg.Go(func() {
			for i := range writes {
				if _, err := db.ExecContext(ctx, "INSERT INTO hits (client, n) VALUES (?, ?)", c, i); err != nil {
					errs <- err
					return
				}
				// Read, then write in one transaction: a lost update shows as a short count.
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if _, err := tx.ExecContext(ctx, "UPDATE counter SET n = ? WHERE id = 1", n+1); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var rows, counted int
	if err := setup.QueryRowContext(ctx, "SELECT COUNT(*) FROM hits").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := setup.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if want := clients * writes; rows != want || counted != want {
		t.Fatalf("%d rows and a count of %d after %d writes from %d connections: %s", rows, counted, want, clients,
			fmt.Sprintf("%d rows lost, %d increments lost", want-rows, want-counted))
	}
}

func TestTxVerb(t *testing.T) {
	for q, want := range map[string]string{
		"START TRANSACTION": "begin", "start transaction read only": "begin", "BEGIN": "begin", " begin ": "begin",
		"COMMIT": "end", "rollback": "end", "ROLLBACK TO SAVEPOINT a": "", "SELECT 1": "", "BEGINNING": "",
	} {
		if got := txVerb(q); got != want {
			t.Errorf("txVerb(%q) = %q, want %q", q, got, want)
		}
	}
}
