package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/aws/smithy-go"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"google.golang.org/api/googleapi"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// blobStore is a Store on a gocloud.dev bucket (S3, GCS or Azure), the
// objects named prefix + "/" + name. Each method is one request to the
// store: a GET, a PUT, a conditional PUT or a DELETE.
type blobStore struct {
	bucket *blob.Bucket
	prefix string // "" or "a/b/"
	where  string
	// remove replaces bucket.Delete where the driver adds a request of its
	// own (s3blob sends a HEAD before every DELETE); nil uses bucket.Delete.
	remove func(ctx context.Context, key string) error
}

func newBlobStore(b *blob.Bucket, loc *Location) *blobStore {
	s := &blobStore{bucket: b, where: loc.String()}
	if loc.prefix != "" {
		s.prefix = loc.prefix + "/"
	}
	return s
}

// key is the object's key in the bucket. Names and prefixes are limited to
// characters no gocloud driver escapes, so the key is the same on the wire.
func (s *blobStore) key(op, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", newError(op, safeWord(name), s.where, nil, err)
	}
	return s.prefix + name, nil
}

func (s *blobStore) Read(ctx context.Context, name string, limit int64) ([]byte, error) {
	key, err := s.key("read", name)
	if err != nil {
		return nil, err
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, s.fail("read", name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, s.fail("read", name, err)
	}
	return data, nil
}

func (s *blobStore) Write(ctx context.Context, name string, data []byte) error {
	return s.put(ctx, "write", name, data, false)
}

func (s *blobStore) CreateIfAbsent(ctx context.Context, name string, data []byte) error {
	return s.put(ctx, "create", name, data, true)
}

// put uploads data in one request: Upload with a known content type skips
// blob.Writer's content sniffing, and the bodies are far below every
// driver's multipart threshold.
func (s *blobStore) put(ctx context.Context, op, name string, data []byte, ifNotExist bool) error {
	key, err := s.key(op, name)
	if err != nil {
		return err
	}
	opts := &blob.WriterOptions{ContentType: "application/octet-stream", IfNotExist: ifNotExist}
	if err := s.bucket.Upload(ctx, key, bytes.NewReader(data), opts); err != nil {
		return s.fail(op, name, err)
	}
	return nil
}

func (s *blobStore) Delete(ctx context.Context, name string) error {
	key, err := s.key("delete", name)
	if err != nil {
		return err
	}
	if s.remove != nil {
		err = s.remove(ctx, key)
	} else {
		err = s.bucket.Delete(ctx, key)
	}
	if err != nil && !isMissing(err) {
		return s.fail("delete", name, err)
	}
	return nil
}

// fail marks a missing object with ErrNotExist and a failed condition
// (S3 412 PreconditionFailed, GCS 412, Azure 409 BlobAlreadyExists or 412
// ConditionNotMet) with ErrExist, and keeps a short cause.
func (s *blobStore) fail(op, name string, err error) error {
	var kind error
	switch {
	case isMissing(err):
		kind = tokencache.ErrNotExist
	case gcerrors.Code(err) == gcerrors.FailedPrecondition:
		kind = tokencache.ErrExist
	}
	return newError(op, name, s.where, kind, cause(err))
}

// isMissing reports a store's "no such object". gocloud also calls a
// missing bucket, a GCS 403 and an unknown Azure host NotFound; those are
// failures, not misses, or a store that is misconfigured or denies access
// would look like an empty one.
func isMissing(err error) bool {
	if gcerrors.Code(err) != gcerrors.NotFound {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket" {
		return false
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.ErrorCode == string(bloberror.ContainerNotFound) {
		return false
	}
	var gerr *googleapi.Error
	if errors.Is(err, storage.ErrBucketNotExist) || errors.As(err, &gerr) && gerr.Code != 404 {
		return false
	}
	var dnsErr *net.DNSError
	return !errors.As(err, &dnsErr)
}

// cause returns the store's own error, briefly where the SDK's text is a
// page long (Azure's includes the whole response), without gocloud's
// "blob (key ...) (code=...)" wrapping.
func cause(err error) error {
	var ae smithy.APIError
	var re *azcore.ResponseError
	var ge *googleapi.Error
	switch {
	case errors.As(err, &re):
		return fmt.Errorf("HTTP %d %s", re.StatusCode, re.ErrorCode)
	case errors.As(err, &ge):
		if ge.Message != "" {
			return fmt.Errorf("HTTP %d: %s", ge.Code, ge.Message)
		}
		return fmt.Errorf("HTTP %d", ge.Code)
	case errors.As(err, &ae):
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	// gocloud's wrapper says "blob (key ...) (code=...): " before the
	// cause, which it unwraps to first.
	if m, ok := err.(interface{ Unwrap() []error }); ok && strings.HasPrefix(err.Error(), "blob ") {
		if u := m.Unwrap(); len(u) > 0 && u[0] != nil {
			return u[0]
		}
	}
	return err
}

var _ tokencache.Store = (*blobStore)(nil)
