// Package objectstore implements tokencache.Store on the stores
// token_cache_url names: file:///path (a shared volume), s3://bucket/prefix
// (AWS S3 and S3-compatible stores such as MinIO, Ceph, R2 and SeaweedFS),
// gs://bucket/prefix and azblob://container/prefix.
//
// # Parse, then Open
//
// Parse validates the URL without touching the network, so the provider
// can reject a malformed one at validate time; its messages name the fault
// and the fix and read after "token_cache_url". Open then builds the
// client; the first request shows whether the store is reachable, which the
// cache turns into a warning rather than an error.
//
// # Why hand-written GCS and Azure clients, the AWS SDK for S3, and os for file://
//
// Every plan starts three provider processes, whether or not a cache is
// configured, so what the clients cost at start-up every user pays. With
// gocloud.dev/blob over the three clouds' SDKs the release binary grew from
// 19.4 to 59.1 MB, start-up to the plugin handshake from about 7 to 17 ms
// and the resident memory at the handshake from 17 to 40 MB (Google's
// storage client alone, with gRPC and OpenTelemetry, was 21 MB and most of
// the start-up cost); see BENCHMARKS.md.
// The cache needs three calls per store, so GCS and Azure are spoken here
// over net/http (gcs.go, azure.go), with the clouds' own credential
// libraries: golang.org/x/oauth2/google for Application Default
// Credentials and azidentity for DefaultAzureCredential. S3 keeps the AWS
// SDK's client, for SigV4 signing, endpoint rules and the credential
// chain. Measured in the provider: S3 +8.6 MB, Azure +1.8 MB, GCS +0.4 MB.
//
// file:// uses the os package directly: a check then a write (as
// gocloud's fileblob does) is something two machines on one volume can
// both pass. Here CreateIfAbsent is O_CREATE|O_EXCL, Write is a
// temporary file, fsync and rename in the same directory (readers see the
// old or the new object, never part of one), and Read opens with
// O_NOFOLLOW and O_NONBLOCK and reads only regular files.
//
// # Requests
//
// Each Store method is one request: Read a GET (read up to limit+1 bytes,
// no HEAD first), Write a PUT (a media upload POST on GCS), CreateIfAbsent
// a conditional one, Delete a DELETE. GCS and Azure requests are not
// retried (a failing store costs a warning, and the cache goes on without
// it); the AWS SDK retries S3's transient failures. Every request
// carries the caller's context, a credential lookup included. Object names
// are restricted to letters, digits, '.', '_' and '-', and prefixes to
// S3's safe characters, so the key on the wire is prefix + "/" + name, as
// a bucket policy on the prefix expects (GCS's JSON API takes it as one
// escaped path segment).
//
// # Conditional writes, per store
//
//   - S3: PutObject with If-None-Match: *; an existing key answers 412
//     PreconditionFailed (AWS since 2024, MinIO, R2, Ceph RGW since Squid;
//     SeaweedFS enforces it too, see tools/seaweedfs/README.md).
//   - GCS: the upload carries ifGenerationMatch=0; an existing object
//     answers 412.
//   - Azure: Put Blob with If-None-Match: *; an existing blob answers 409
//     BlobAlreadyExists or 412 ConditionNotMet.
//   - file://: O_EXCL, atomic on local file systems and on NFSv3 and later.
//
// All four map the failed condition to tokencache.ErrExist; none returns
// tokencache.ErrUnsupported. A store that ignores If-None-Match (an old
// S3-compatible server) lets every writer win, which the cache survives as
// last-writer-wins. A missing object maps to tokencache.ErrNotExist, but a
// missing bucket or container, an access denial and an unknown host are
// failures, never misses, so a misconfigured store cannot pass for an
// empty one.
//
// # Credentials
//
// Never in the URL: Parse rejects user information and every query
// parameter that carries a credential (access keys, secrets, session
// tokens, signed-URL and SAS fields), and its messages never repeat a
// query value or the user information. Each cloud's standard chain
// supplies them: for S3 the AWS SDK's (environment, shared config and
// profiles, container and instance roles, web identity); for GCS
// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
// gcloud's application-default login, the metadata server and workload
// identity; STORAGE_EMULATOR_HOST switches to an emulator without
// credentials, as in Google's own libraries); for Azure, as gocloud's
// azureblob took them before, AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY
// (Shared Key signing), else AZURE_STORAGE_SAS_TOKEN, else azidentity's
// DefaultAzureCredential (environment, workload identity, managed
// identity, Azure CLI), its token cached until five minutes before it
// expires. AZURE_STORAGE_DOMAIN and AZURE_STORAGE_IS_LOCAL_EMULATOR (with
// AZURE_STORAGE_PROTOCOL, for Azurite on a loopback address) are honoured
// too; connection strings are not. Errors from the stores have any URL
// query removed (an Azure SAS token travels there), never include a token
// or key, and keep to one line.
//
// An http:// S3 endpoint is accepted only on a loopback address: requests
// are signed, not encrypted, and could be replayed from the network.
package objectstore
