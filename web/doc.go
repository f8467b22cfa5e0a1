// Package web is the console: html/template pages over the pipeline's stored state and its
// streams, for an operator to watch and act. It owns no state of its own: every page is read
// from MySQL and Redis through Data, and sessions and CSRF tokens are signed with keys
// derived from the admin tokens, so a restart of any process loses nothing.
package web
