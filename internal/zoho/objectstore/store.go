package objectstore

import (
	"context"
	"errors"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// objectStore is a Store on a bucket or container of a cloud store (S3,
// GCS or Azure), the objects named prefix + name. It checks names and
// shapes errors; the backend sends one request per call.
type objectStore struct {
	api    objectAPI
	prefix string // "" or "a/b/"
	where  string // Location.String()
}

// objectAPI is one store's three requests. Keys are prefix + name, made
// only of characters no store escapes differently. A failure the store
// answered is a *failure, so objectStore can tell misses and lost races
// from the rest.
type objectAPI interface {
	// get reads at most limit bytes of the object at key (one GET), with
	// the store's Last-Modified and Date.
	get(ctx context.Context, key string, limit int64) (tokencache.Object, error)
	// put writes the object (one PUT or POST), only where nothing is at key
	// when ifAbsent.
	put(ctx context.Context, key string, data []byte, ifAbsent bool) error
	// remove deletes the object (one DELETE).
	remove(ctx context.Context, key string) error
}

// failure is a store's answer that is not success: kind is
// tokencache.ErrNotExist for a missing object, tokencache.ErrExist for a
// create-if-absent that lost (the object exists, or another conditional
// write of it is under way), else nil; cause says what the store said.
type failure struct {
	kind  error
	cause error
}

func (f *failure) Error() string { return f.cause.Error() }

// Unwrap gives the cause, so a context error in it is still found.
func (f *failure) Unwrap() error { return f.cause }

func newObjectStore(api objectAPI, loc *Location) *objectStore {
	s := &objectStore{api: api, where: loc.String()}
	if loc.prefix != "" {
		s.prefix = loc.prefix + "/"
	}
	return s
}

// key is the object's key in the bucket, the same on the wire.
func (s *objectStore) key(op, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", newError(op, safeWord(name), s.where, nil, err)
	}
	return s.prefix + name, nil
}

func (s *objectStore) Read(ctx context.Context, name string, limit int64) (tokencache.Object, error) {
	key, err := s.key("read", name)
	if err != nil {
		return tokencache.Object{}, err
	}
	obj, err := s.api.get(ctx, key, limit+1)
	if err != nil {
		return tokencache.Object{}, s.fail("read", name, err)
	}
	return obj, nil
}

func (s *objectStore) Write(ctx context.Context, name string, data []byte) error {
	return s.put(ctx, "write", name, data, false)
}

func (s *objectStore) CreateIfAbsent(ctx context.Context, name string, data []byte) error {
	return s.put(ctx, "create", name, data, true)
}

func (s *objectStore) put(ctx context.Context, op, name string, data []byte, ifAbsent bool) error {
	key, err := s.key(op, name)
	if err != nil {
		return err
	}
	if err := s.api.put(ctx, key, data, ifAbsent); err != nil {
		return s.fail(op, name, err)
	}
	return nil
}

func (s *objectStore) Delete(ctx context.Context, name string) error {
	key, err := s.key("delete", name)
	if err != nil {
		return err
	}
	err = s.api.remove(ctx, key)
	if err != nil && !errors.Is(kindOf(err), tokencache.ErrNotExist) {
		return s.fail("delete", name, err)
	}
	return nil
}

// fail marks the error with the failure's kind and keeps its cause.
func (s *objectStore) fail(op, name string, err error) error {
	return newError(op, name, s.where, kindOf(err), err)
}

func kindOf(err error) error {
	var f *failure
	if errors.As(err, &f) {
		return f.kind
	}
	return nil
}

var _ tokencache.Store = (*objectStore)(nil)
