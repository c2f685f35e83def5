package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// s3API calls the AWS SDK's S3 client directly: GetObject, PutObject
// (with If-None-Match: * to create only where nothing is) and
// DeleteObject, signed with credentials from the SDK's default chain.
type s3API struct {
	client *s3.Client
	bucket string
}

func openS3(ctx context.Context, loc *Location, storeOpts Options) (*objectStore, error) {
	where := loc.String()
	opts := []func(*config.LoadOptions) error{
		// Bounded connects and first bytes; each call also carries the
		// cache's deadline, which bounds the SDK's own retries.
		// (The SDK's own client, so that AWS_CA_BUNDLE still works.)
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithTimeout(storeOpts.timeout()).
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = storeOpts.connectTimeout() }).
			WithTransportOptions(func(t *http.Transport) {
				t.TLSHandshakeTimeout = storeOpts.connectTimeout()
				t.ResponseHeaderTimeout = storeOpts.timeout()
			})),
		// The SDK's default logger writes to stderr, which a provider
		// plugin must not fill with SDK chatter.
		config.WithLogger(logging.Nop{}),
		// Checksums only where S3 requires them: several S3-compatible
		// stores reject the default trailing CRC32, and the bodies are
		// AES-GCM sealed, so corruption is caught anyway.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if loc.region != "" {
		opts = append(opts, config.WithRegion(loc.region))
	}
	// Loading reads files and the environment; a region or profile may send
	// it to the instance metadata service, so bound it.
	cfg, err := withinTimeout(storeOpts.timeout(), func() (aws.Config, error) { return config.LoadDefaultConfig(ctx, opts...) })
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	if cfg.Region == "" {
		return nil, newError("open", "", where, nil, errors.New("no AWS region: add ?region=... to token_cache_url or set AWS_REGION (S3-compatible stores take any region they accept, such as us-east-1, or auto for R2)"))
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if loc.endpoint != "" {
			o.BaseEndpoint = aws.String(loc.endpoint)
		}
		o.UsePathStyle = loc.pathStyle
	})
	return newObjectStore(&s3API{client: client, bucket: loc.bucket}, loc), nil
}

func (a *s3API) get(ctx context.Context, key string, limit int64) (tokencache.Object, error) {
	out, err := a.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &a.bucket, Key: &key})
	if err != nil {
		return tokencache.Object{}, s3Failure(err)
	}
	defer out.Body.Close()
	data, err := readLimited(out.Body, limit)
	if err != nil {
		return tokencache.Object{}, err
	}
	obj := tokencache.Object{Data: data, Modified: aws.ToTime(out.LastModified)}
	// The SDK keeps the answer's Date header as the server's time.
	obj.StoreNow, _ = awsmiddleware.GetServerTime(out.ResultMetadata)
	return obj, nil
}

func (a *s3API) put(ctx context.Context, key string, data []byte, ifAbsent bool) error {
	in := &s3.PutObjectInput{
		Bucket:        &a.bucket,
		Key:           &key,
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String("application/octet-stream"),
	}
	if ifAbsent {
		in.IfNoneMatch = aws.String("*")
	}
	if _, err := a.client.PutObject(ctx, in); err != nil {
		return s3Failure(err)
	}
	return nil
}

// remove sends the DELETE alone: S3 answers it with success whether or
// not the key exists, which is all Delete needs.
func (a *s3API) remove(ctx context.Context, key string) error {
	if _, err := a.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &a.bucket, Key: &key}); err != nil {
		return s3Failure(err)
	}
	return nil
}

// s3Failure marks NoSuchKey as a miss, and PreconditionFailed (412 on
// If-None-Match: *) and ConditionalRequestConflict (409: another
// conditional write of the key is under way, which S3 answers under a
// burst) as a lost race. NoSuchBucket, AccessDenied and transport errors
// stay failures. The SDK's text for a service error is long; its code and
// message say it all.
func s3Failure(err error) error {
	f := &failure{cause: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			f.kind = tokencache.ErrNotExist
		case "PreconditionFailed", "ConditionalRequestConflict":
			f.kind = tokencache.ErrExist
		}
		f.cause = fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return f
}
