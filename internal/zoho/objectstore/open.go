package objectstore

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"gocloud.dev/blob/azureblob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcp"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// Open returns the Store at loc. It sends no request: credentials are
// looked up (and, for GCS, must be found) now, but a wrong key, a missing
// bucket or an unreachable server shows in the first Read or Write.
func Open(ctx context.Context, loc *Location) (tokencache.Store, error) {
	if loc == nil {
		return nil, errors.New("objectstore.Open: nil Location")
	}
	switch loc.scheme {
	case schemeFile:
		return openFile(loc)
	case schemeS3:
		return openS3(ctx, loc)
	case schemeGS:
		return openGCS(ctx, loc)
	case schemeAzure:
		return openAzure(ctx, loc)
	}
	return nil, errors.New("objectstore.Open: a Location not made by Parse")
}

// openS3 builds the client itself rather than through s3blob's URL opener,
// which ignores the URL's path and takes other parameters than ours.
func openS3(ctx context.Context, loc *Location) (*blobStore, error) {
	where := loc.String()
	opts := []func(*config.LoadOptions) error{
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
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
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
	b, err := s3blob.OpenBucket(ctx, client, loc.bucket, &s3blob.Options{
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	st := newBlobStore(b, loc)
	// s3blob's Delete sends a HEAD first to report a missing key; S3's
	// DELETE succeeds on a missing key, which is all Delete needs.
	st.remove = func(ctx context.Context, key string) error {
		_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.bucket), Key: aws.String(key)})
		return err
	}
	return st, nil
}

// openGCS finds Application Default Credentials now: gocloud's URL opener
// would print a warning on stdout (the plugin protocol's channel) and go on
// without credentials. STORAGE_EMULATOR_HOST, the Google library's own
// switch to an emulator, needs none.
func openGCS(ctx context.Context, loc *Location) (*blobStore, error) {
	where := loc.String()
	var client *gcp.HTTPClient
	if os.Getenv("STORAGE_EMULATOR_HOST") != "" {
		client = &gcp.HTTPClient{Client: http.Client{}}
	} else {
		creds, err := gcp.DefaultCredentials(ctx)
		if err != nil {
			return nil, newError("open", "", where, nil, err)
		}
		client, err = gcp.NewHTTPClient(gcp.DefaultTransport(), gcp.CredentialsTokenSource(creds))
		if err != nil {
			return nil, newError("open", "", where, nil, err)
		}
	}
	b, err := gcsblob.OpenBucket(ctx, client, loc.bucket, nil)
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	return newBlobStore(b, loc), nil
}

// openAzure takes the service URL options and the credential from the
// environment as gocloud's azureblob documents them, with the URL's
// storage_account and domain on top.
func openAzure(ctx context.Context, loc *Location) (*blobStore, error) {
	where := loc.String()
	opts := azureblob.NewDefaultServiceURLOptions()
	if loc.account != "" {
		opts.AccountName = loc.account
	}
	if loc.domain != "" {
		opts.StorageDomain = loc.domain
	}
	if opts.AccountName == "" {
		return nil, newError("open", "", where, nil, errors.New("no Azure storage account: add ?storage_account=NAME to token_cache_url or set AZURE_STORAGE_ACCOUNT"))
	}
	svc, err := azureblob.NewServiceURL(opts)
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	client, err := azureblob.NewDefaultClient(svc, azureblob.ContainerName(loc.bucket))
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	b, err := azureblob.OpenBucket(ctx, client, nil)
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	return newBlobStore(b, loc), nil
}
