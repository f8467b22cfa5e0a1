package sources

import (
	"errors"
	"fmt"

	"github.com/andybalholm/cascadia"
)

// compileSelector compiles one CSS selector. goquery would take the string as it is, but it
// treats an invalid selector as one that matches nothing; compiling first turns a typo into
// an error naming the field.
func compileSelector(field, sel string) (cascadia.Selector, error) {
	if sel == "" {
		return nil, fmt.Errorf("%s: no selector", field)
	}
	s, err := cascadia.Compile(sel)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid CSS selector %q: %w", field, sel, err)
	}
	return s, nil
}

// facebookMatchers are the compiled FacebookSelectors.
type facebookMatchers struct {
	Post, DesktopPost, Attachment, Header, Author, Time, Text        cascadia.Selector
	TruncatedHide, MoreLink, Images, Counts, Likes, Comments, Shares cascadia.Selector
	FeedbackID, DesktopAuthor, DesktopTime, DesktopText              cascadia.Selector
	DesktopSubtitle, DesktopImages, NextPage, Comment, CommentAuthor cascadia.Selector
	CommentBody, CommentTime, PermalinkView, LoginForm               cascadia.Selector
	Headings                                                         cascadia.Selector
	// Nested is what a post's own header, time and text are never inside: its attachment
	// and any post shown within it.
	Nested cascadia.Selector
}

func compileFacebook(s FacebookSelectors) (facebookMatchers, error) {
	var m facebookMatchers
	var errs []error
	c := func(dst *cascadia.Selector, field, sel string) {
		var err error
		if *dst, err = compileSelector(field, sel); err != nil {
			errs = append(errs, err)
		}
	}
	c(&m.Post, "Post", s.Post)
	c(&m.DesktopPost, "DesktopPost", s.DesktopPost)
	c(&m.Attachment, "Attachment", s.Attachment)
	c(&m.Header, "Header", s.Header)
	c(&m.Author, "Author", s.Author)
	c(&m.Time, "Time", s.Time)
	c(&m.Text, "Text", s.Text)
	c(&m.TruncatedHide, "TruncatedHide", s.TruncatedHide)
	c(&m.MoreLink, "MoreLink", s.MoreLink)
	c(&m.Images, "Images", s.Images)
	c(&m.Counts, "Counts", s.Counts)
	c(&m.Likes, "Likes", s.Likes)
	c(&m.Comments, "Comments", s.Comments)
	c(&m.Shares, "Shares", s.Shares)
	c(&m.FeedbackID, "FeedbackID", s.FeedbackID)
	c(&m.DesktopAuthor, "DesktopAuthor", s.DesktopAuthor)
	c(&m.DesktopTime, "DesktopTime", s.DesktopTime)
	c(&m.DesktopText, "DesktopText", s.DesktopText)
	c(&m.DesktopSubtitle, "DesktopSubtitle", s.DesktopSubtitle)
	c(&m.DesktopImages, "DesktopImages", s.DesktopImages)
	c(&m.NextPage, "NextPage", s.NextPage)
	c(&m.Comment, "Comment", s.Comment)
	c(&m.CommentAuthor, "CommentAuthor", s.CommentAuthor)
	c(&m.CommentBody, "CommentBody", s.CommentBody)
	c(&m.CommentTime, "CommentTime", s.CommentTime)
	c(&m.PermalinkView, "PermalinkView", s.PermalinkView)
	c(&m.LoginForm, "LoginForm", s.LoginForm)
	c(&m.Headings, "Headings", s.Headings)
	c(&m.Nested, "Attachment, Post", s.Attachment+", "+s.Post)
	if len(errs) > 0 {
		return facebookMatchers{}, fmt.Errorf("invalid Facebook selectors: %w", errors.Join(errs...))
	}
	return m, nil
}
