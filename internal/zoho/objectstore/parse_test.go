package objectstore

import (
	"strings"
	"testing"
)

const (
	awsChain   = "credentials come from the AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config files, or the instance, container or web identity role"
	gcsChain   = "credentials come from Google Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, or the workload's service account"
	azureChain = "credentials come from the Azure chain: AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN with AZURE_STORAGE_ACCOUNT, or azidentity's DefaultAzureCredential (AZURE_CLIENT_ID/AZURE_TENANT_ID, workload or managed identity, az login)"
	forms      = "file:///absolute/path, s3://bucket/prefix, gs://bucket/prefix or azblob://container/prefix"
)

func TestParse_accepted(t *testing.T) {
	for _, tc := range []struct{ raw, want, scheme string }{
		{"file:///var/cache/zoho", "file:///var/cache/zoho", "file"},
		{"file:///var/cache/zoho/", "file:///var/cache/zoho", "file"},
		{"file://localhost/var/cache/zoho", "file:///var/cache/zoho", "file"},
		{"s3://my-bucket", "s3://my-bucket", "s3"},
		{"s3://my-bucket/", "s3://my-bucket", "s3"},
		{"S3://my-bucket/ci/zoho/?region=eu-west-1", "s3://my-bucket/ci/zoho?region=eu-west-1", "s3"},
		{"s3://zoho-cache/p?endpoint=http://127.0.0.1:8333&use_path_style=true&region=us-east-1",
			"s3://zoho-cache/p?endpoint=http://127.0.0.1:8333&region=us-east-1&use_path_style=true", "s3"},
		{"s3://zoho-cache/p?endpoint=http://[::1]:9000/&use_path_style=false", "s3://zoho-cache/p?endpoint=http://[::1]:9000", "s3"},
		{"s3://zoho-cache/p?endpoint=http://localhost:9000", "s3://zoho-cache/p?endpoint=http://localhost:9000", "s3"},
		{"s3://zoho-cache/p?endpoint=https://ACCT.r2.cloudflarestorage.com&region=auto",
			"s3://zoho-cache/p?endpoint=https://acct.r2.cloudflarestorage.com&region=auto", "s3"},
		{"gs://my-bucket/zoho", "gs://my-bucket/zoho", "gs"},
		{"gs://my.dotted_bucket/a(1)/b!*'", "gs://my.dotted_bucket/a%281%29/b%21%2A%27", "gs"},
		{"azblob://tokens/zoho?storage_account=acct1&domain=blob.core.usgovcloudapi.net",
			"azblob://tokens/zoho?domain=blob.core.usgovcloudapi.net&storage_account=acct1", "azblob"},
		{"azblob://tokens", "azblob://tokens", "azblob"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			loc, err := Parse(tc.raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := loc.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if loc.Scheme() != tc.scheme {
				t.Errorf("Scheme() = %q, want %q", loc.Scheme(), tc.scheme)
			}
			// The canonical form parses to itself.
			again, err := Parse(loc.String())
			if err != nil || again.String() != loc.String() {
				t.Errorf("Parse(String()) = %v, %v; want %q", again, err, loc.String())
			}
		})
	}
}

// The messages follow "token_cache_url" in a diagnostic, word for word.
func TestParse_rejected(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"", "is empty: set it to " + forms},
		{"ftp://host/dir", `has the unsupported scheme "ftp": use ` + forms},
		{"https://bucket.s3.amazonaws.com/zoho", `has the unsupported scheme "https": use ` + forms},
		{"my-bucket/zoho", "has no scheme: use " + forms},
		{"s3:my-bucket", `lacks the "//" after "s3:": use ` + forms},
		{"s3://", "has no bucket: write s3://BUCKET/prefix"},
		{"s3:///zoho", "has no bucket: write s3://BUCKET/prefix"},
		{"gs:///zoho", "has no bucket: write gs://BUCKET/prefix"},
		{"azblob:///zoho", "has no container: write azblob://CONTAINER/prefix"},
		{"s3://My_Bucket/zoho", `has an invalid bucket name "My_Bucket": use lower-case letters, digits, '.', '-' and '_'`},
		{"s3://my-bucket:9000/zoho", "has a port after the bucket name: the host part of s3:// is the bucket; an S3-compatible server's address goes in ?endpoint=https://host:port"},
		{"file://relative/dir", "is a file URL with a host or a relative path (file://relative/...): name an absolute directory with three slashes, as in file:///var/cache/zoho"},
		{"file:relative/dir", `lacks the "//" after "file:": use ` + forms},
		{"file://", "is a file URL without an absolute path: name the directory with three slashes, as in file:///var/cache/zoho"},
		{"file:///var/cache?mode=0700", `has the query parameter "mode", but file:// URLs take none: remove it`},
		{"s3://my-bucket/zoho?regoin=eu-west-1", `has the unknown query parameter "regoin": s3:// URLs take endpoint, region, use_path_style`},
		{"gs://my-bucket/zoho?region=eu", `has the query parameter "region", but gs:// URLs take none: remove it`},
		{"azblob://tokens/zoho?protocol=http", `has the unknown query parameter "protocol": azblob:// URLs take domain, storage_account`},
		{"s3://my-bucket/zoho?region=eu-west-1&region=us-east-1", `has the query parameter "region" more than once: keep one`},
		{"s3://my-bucket/zoho?region=", `has an empty query parameter "region": give it a value or remove it`},
		{"s3://my-bucket/zoho?region=EU_WEST", "has an invalid region: give an AWS region name such as eu-west-1 (or what the S3-compatible store expects, such as auto for R2)"},
		{"s3://my-bucket/zoho?use_path_style=yes", "has an invalid use_path_style: set it to true or false"},
		{"s3://my-bucket/zoho?endpoint=http://minio.internal:9000", "has an http:// endpoint that is not on a loopback address: use https:// (http:// is only accepted for 127.0.0.1, ::1 or localhost)"},
		{"s3://my-bucket/zoho?endpoint=ftp://minio", "has an endpoint that is not an http(s) URL: give the server's address as https://host[:port] (http:// only on a loopback address such as 127.0.0.1)"},
		{"s3://my-bucket/zoho?endpoint=minio:9000", "has an invalid endpoint: give the server's address as https://host[:port] (http:// only on a loopback address such as 127.0.0.1)"},
		{"s3://my-bucket/zoho?endpoint=https://minio:9000/bucket", "has an endpoint with a path, query or fragment: give the server's address as https://host[:port] (http:// only on a loopback address such as 127.0.0.1)"},
		{"s3://my-bucket/zoho?endpoint=https://minio:99999", "has an endpoint with an invalid port: give the server's address as https://host[:port] (http:// only on a loopback address such as 127.0.0.1)"},
		{"azblob://tokens/zoho?storage_account=My-Account", "has an invalid storage_account: an Azure storage account name is 3 to 24 lower-case letters and digits"},
		{"azblob://tokens/zoho?domain=blob.evil.example", "has an unsupported domain: use one of blob.core.chinacloudapi.cn, blob.core.cloudapi.de, blob.core.usgovcloudapi.net, blob.core.windows.net (or leave it out for the public cloud)"},
		{"s3://my-bucket/a//b", `has an empty segment ("//") in its prefix: remove the extra slash`},
		{"s3://my-bucket/a/../b", `has a "." or ".." segment in its prefix: write the prefix out plainly`},
		{"s3://my-bucket/a%20b", "has a prefix with characters other than letters, digits and !_.*'()- between its slashes: choose a plainer prefix"},
		{"s3://my-bucket/zoho#part", `must not have a fragment (the part after "#" in s3://my-bucket/zoho): remove it`},
		{"s3://my-bucket/zoho%zz", "is not a valid URL (check the escaping of special characters); expected " + forms},
		{"s3://my-bucket/zoho?a=%zz", "has a malformed query string (check the escaping of special characters)"},
		// Credentials, in every place a URL can carry them.
		{"s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI%2FK7MDENG@my-bucket/zoho", `must not carry credentials (the user information before "@" in s3://REDACTED@my-bucket/zoho): remove them; ` + awsChain},
		{"gs://token@my-bucket/zoho", `must not carry credentials (the user information before "@" in gs://REDACTED@my-bucket/zoho): remove them; ` + gcsChain},
		{"file://user:pw@/var/cache", `must not carry credentials (the user information before "@" in file://REDACTED@/var/cache): remove them; a file:// cache needs none (access is the file system's)`},
		{"s3://my-bucket/zoho?aws_access_key_id=AKIAIOSFODNN7EXAMPLE&region=eu-west-1", `must not carry credentials (the query parameter "aws_access_key_id" in s3://my-bucket/zoho?aws_access_key_id=REDACTED&region=REDACTED): remove it; ` + awsChain},
		{"s3://my-bucket/zoho?secret_access_key=c2VjcmV0", `must not carry credentials (the query parameter "secret_access_key" in s3://my-bucket/zoho?secret_access_key=REDACTED): remove it; ` + awsChain},
		{"s3://my-bucket/zoho?X-Amz-Credential=AKIA%2F20250101&X-Amz-Signature=abcdef", `must not carry credentials (the query parameter "X-Amz-Credential" in s3://my-bucket/zoho?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED): remove it; ` + awsChain},
		{"s3://my-bucket/zoho?endpoint=https://key:secret@minio.example:9000", "must not carry credentials (in its endpoint): remove them; " + awsChain},
		{"gs://my-bucket/zoho?GoogleAccessId=x&Signature=c2ln", `must not carry credentials (the query parameter "GoogleAccessId" in gs://my-bucket/zoho?GoogleAccessId=REDACTED&Signature=REDACTED): remove it; ` + gcsChain},
		{"gs://my-bucket/zoho?credentials_file=/home/me/key.json", `must not carry credentials (the query parameter "credentials_file" in gs://my-bucket/zoho?credentials_file=REDACTED): remove it; ` + gcsChain},
		{"azblob://tokens/zoho?sv=2022-11-02&ss=b&sp=rw&se=2030-01-01&sig=c2lnbmF0dXJl", `must not carry credentials (the query parameter "se" in azblob://tokens/zoho?se=REDACTED&sig=REDACTED&sp=REDACTED&ss=REDACTED&sv=REDACTED): remove it; ` + azureChain},
		{"azblob://tokens/zoho?account_key=a2V5", `must not carry credentials (the query parameter "account_key" in azblob://tokens/zoho?account_key=REDACTED): remove it; ` + azureChain},
		{"azblob://tokens/zoho?connection_string=AccountKey%3Da2V5", `must not carry credentials (the query parameter "connection_string" in azblob://tokens/zoho?connection_string=REDACTED): remove it; ` + azureChain},
		// A parameter name that could itself be a pasted secret is not quoted.
		{"s3://my-bucket/zoho?wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", `has the unknown query parameter "…": s3:// URLs take endpoint, region, use_path_style`},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			loc, err := Parse(tc.raw)
			if err == nil {
				t.Fatalf("Parse accepted it as %s", loc)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

// No message repeats a secret, whatever part of the URL holds it.
func TestParse_neverEchoesSecrets(t *testing.T) {
	const secret = "wJalrXUtnFEMIK7MDENG"
	for _, raw := range []string{
		"s3://AKIA:" + secret + "@my-bucket/zoho",
		"s3://" + secret + "@my-bucket/zoho",
		"s3://my-bucket/zoho?secret=" + secret,
		"s3://my-bucket/zoho?region=" + secret,
		"s3://my-bucket/zoho?use_path_style=" + secret,
		"s3://my-bucket/zoho?endpoint=https://" + secret + "@host",
		"s3://my-bucket/zoho?endpoint=" + secret,
		"s3://my-bucket/zoho?" + secret + "=1",
		"s3://my-bucket/zoho?token=x&" + secret + "=1",
		"s3://my-bucket/zoho?X-Amz-" + secret + "=1",
		"s3://my-bucket/zoho?x=" + secret + "%zz",
		"s3://my-bucket/zoho#" + secret,
		"s3://my-bucket/" + secret + "%zz",
		"s3://my-bucket/a//" + secret,
		"s3://my-bucket/" + secret + " x",
		"gs://my-bucket/zoho?sig=" + secret,
		"azblob://tokens/zoho?storage_account=" + secret,
		"azblob://tokens/zoho?domain=" + secret,
		"azblob://tokens/zoho?sas=" + secret,
		"file:///var?token=" + secret,
		secret + "://x",
	} {
		_, err := Parse(raw)
		if err == nil {
			t.Errorf("Parse(%q) accepted it", raw)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "wJalr") {
			t.Errorf("Parse(%q) error repeats the secret: %s", raw, err)
		}
	}
}
