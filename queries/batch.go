package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// UpsertPosts writes many posts in one multi-row INSERT … ON DUPLICATE KEY UPDATE. sqlc cannot
// generate a variable-length multi-row insert for MySQL (sqlc #2002), so the batch statements
// here are written by hand: each is a generated statement's own text with its VALUES tuple
// repeated, values passed only as placeholders.
func (q *Queries) UpsertPosts(ctx context.Context, rows []UpsertPostParams) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := q.execPosts(ctx, upsertPost, rows); err != nil {
		return fmt.Errorf("cannot upsert %d posts: %w", len(rows), err)
	}
	return nil
}

// InsertPosts writes new posts in one multi-row INSERT (InsertPost's text, repeated): the
// whole statement fails on a duplicate key. Its result's LastInsertId is the first row's id.
func (q *Queries) InsertPosts(ctx context.Context, rows []UpsertPostParams) (sql.Result, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("cannot insert no posts")
	}
	res, err := q.execPosts(ctx, insertPost, rows)
	if err != nil {
		return nil, fmt.Errorf("cannot insert %d posts: %w", len(rows), err)
	}
	return res, nil
}

// execPosts runs stmt, whose VALUES tuple is one post's, with a tuple for each row.
func (q *Queries) execPosts(ctx context.Context, stmt string, rows []UpsertPostParams) (sql.Result, error) {
	stmt, err := repeatValues(stmt, len(rows))
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(rows)*11)
	for _, r := range rows {
		args = append(args, r.Source, r.ExternalID, r.Author, r.Url, r.Text, r.ContentHash,
			r.RawPayload, r.MessageID, r.PostedAt, r.FirstSeenAt, r.UpdatedAt)
	}
	return q.db.ExecContext(ctx, stmt, args...)
}

// repeatValues turns "INSERT … VALUES (?, ?) ON …" into "INSERT … VALUES (?, ?),(?, ?) ON …".
func repeatValues(stmt string, n int) (string, error) {
	const marker = "VALUES ("
	start := strings.Index(stmt, marker)
	if start < 0 {
		return "", fmt.Errorf("cannot build batch statement: no %q in %q", marker, stmt)
	}
	end := strings.Index(stmt[start:], ")")
	if end < 0 {
		return "", fmt.Errorf("cannot build batch statement: unclosed VALUES tuple")
	}
	tuple := stmt[start+len("VALUES ") : start+end+1]
	if strings.Trim(strings.ReplaceAll(tuple, " ", ""), "(?,)") != "" {
		return "", fmt.Errorf("cannot build batch statement: VALUES tuple %q holds more than placeholders", tuple)
	}
	var b strings.Builder
	b.Grow(len(stmt) + n*(len(tuple)+1))
	b.WriteString(stmt[:start+len("VALUES ")])
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	b.WriteString(stmt[start+end+1:])
	return b.String(), nil
}
