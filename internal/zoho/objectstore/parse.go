package objectstore

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The schemes token_cache_url accepts, in the order messages list them.
const (
	schemeFile  = "file"
	schemeS3    = "s3"
	schemeGS    = "gs"
	schemeAzure = "azblob"
)

const supportedForms = "file:///absolute/path, s3://bucket/prefix, gs://bucket/prefix or azblob://container/prefix"

// Query parameters each scheme knows; anything else is rejected, so a typo
// (regoin=) is an error rather than a setting silently ignored.
var knownParams = map[string][]string{
	schemeFile:  nil,
	schemeS3:    {"endpoint", "region", "use_path_style"},
	schemeGS:    nil,
	schemeAzure: {"domain", "storage_account"},
}

// Where each scheme takes its credentials from, for the message that rejects
// a URL carrying some.
var credentialChains = map[string]string{
	schemeFile:  "a file:// cache needs none (access is the file system's)",
	schemeS3:    "credentials come from the AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config files, or the instance, container or web identity role",
	schemeGS:    "credentials come from Google Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, or the workload's service account",
	schemeAzure: "credentials come from the Azure chain: AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN with AZURE_STORAGE_ACCOUNT, or azidentity's DefaultAzureCredential (AZURE_CLIENT_ID/AZURE_TENANT_ID, workload or managed identity, az login)",
}

// Query parameter names (lower case, without '-' and '_') that carry a
// credential in some store's URLs: AWS, Google and Azure signed URLs,
// Azure SAS tokens, and the obvious words.
var credentialParams = map[string]bool{
	"accesskey": true, "accesskeyid": true, "awsaccesskeyid": true,
	"secret": true, "secretkey": true, "secretaccesskey": true, "awssecretaccesskey": true,
	"sessiontoken": true, "awssessiontoken": true, "securitytoken": true,
	"token": true, "accesstoken": true, "sastoken": true, "sas": true,
	"sig": true, "signature": true, "googleaccessid": true, "expires": true,
	"credential": true, "credentials": true, "credentialsfile": true, "credentialsjson": true,
	"password": true, "passwd": true, "pass": true, "key": true, "apikey": true,
	"accountkey": true, "storagekey": true, "connectionstring": true, "clientsecret": true,
	// Presigned AWS and Google URLs.
	"xamzcredential": true, "xamzsignature": true, "xamzsecuritytoken": true,
	"xamzalgorithm": true, "xamzdate": true, "xamzexpires": true, "xamzsignedheaders": true,
	"xgoogcredential": true, "xgoogsignature": true, "xgoogalgorithm": true,
	"xgoogdate": true, "xgoogexpires": true, "xgoogsignedheaders": true,
	// The other fields of an Azure SAS token (sv=...&se=...&sig=...).
	"sv": true, "ss": true, "srt": true, "sp": true, "se": true, "st": true,
	"spr": true, "sr": true, "si": true, "skoid": true, "sktid": true,
	"skt": true, "ske": true, "sks": true, "skv": true, "sdd": true,
}

// Location is a validated token_cache_url. Only Parse makes one, so a
// Location never holds a credential and String is safe to log.
type Location struct {
	scheme string
	bucket string // the bucket or container; "" for file
	prefix string // "" or "a/b": object names go under prefix + "/"
	dir    string // file: the absolute, cleaned directory

	region    string // s3
	endpoint  string // s3: scheme://host[:port], no path
	pathStyle bool   // s3

	account string // azblob: storage account name, when not from the environment
	domain  string // azblob: storage domain, when not the public cloud's
}

// Scheme returns the URL's scheme: file, s3, gs or azblob.
func (l *Location) Scheme() string { return l.scheme }

// String returns the location in its canonical URL form; it holds nothing
// secret, since Parse rejects credentials.
func (l *Location) String() string {
	if l.scheme == schemeFile {
		return (&url.URL{Scheme: schemeFile, Path: l.dir}).String()
	}
	u := url.URL{Scheme: l.scheme, Host: l.bucket}
	if l.prefix != "" {
		u.Path = "/" + l.prefix
	}
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("endpoint", l.endpoint)
	set("region", l.region)
	if l.pathStyle {
		q.Set("use_path_style", "true")
	}
	set("storage_account", l.account)
	set("domain", l.domain)
	// Validated values need no escaping; an endpoint reads better unescaped.
	u.RawQuery = strings.NewReplacer("%3A", ":", "%2F", "/", "%5B", "[", "%5D", "]").Replace(q.Encode())
	return u.String()
}

// Parse validates a token_cache_url without touching the network. Its errors
// name the fault and the fix, never repeat a credential or a query value,
// and read well after "token_cache_url" in a diagnostic.
func Parse(raw string) (*Location, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("is empty: set it to " + supportedForms)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error repeats the URL, credentials and all.
		return nil, errors.New("is not a valid URL (check the escaping of special characters); expected " + supportedForms)
	}
	scheme := strings.ToLower(u.Scheme)
	if _, ok := knownParams[scheme]; !ok {
		if u.Scheme == "" {
			return nil, errors.New("has no scheme: use " + supportedForms)
		}
		return nil, fmt.Errorf("has the unsupported scheme %q: use %s", safeName(u.Scheme), supportedForms)
	}
	if u.User != nil {
		return nil, fmt.Errorf("must not carry credentials (the user information before \"@\" in %s): remove them; %s", redact(u), credentialChains[scheme])
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("lacks the \"//\" after \"%s:\": use %s", scheme, supportedForms)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("must not have a fragment (the part after \"#\" in %s): remove it", redact(u))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("has a malformed query string (check the escaping of special characters)")
	}
	if err := checkParams(scheme, q, u); err != nil {
		return nil, err
	}
	if scheme == schemeFile {
		return parseFile(u)
	}
	loc := &Location{scheme: scheme}
	if err := loc.setBucket(u); err != nil {
		return nil, err
	}
	if err := loc.setPrefix(u.Path); err != nil {
		return nil, err
	}
	switch scheme {
	case schemeS3:
		err = loc.setS3Params(q)
	case schemeAzure:
		err = loc.setAzureParams(q)
	}
	if err != nil {
		return nil, err
	}
	return loc, nil
}

// checkParams rejects credentials in the query, then unknown and repeated
// parameters.
func checkParams(scheme string, q url.Values, u *url.URL) error {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if known, ok := isCredentialParam(name); ok {
			return fmt.Errorf("must not carry credentials (the query parameter %q in %s): remove it; %s", paramName(name, known), redact(u), credentialChains[scheme])
		}
	}
	known := knownParams[scheme]
	for _, name := range names {
		if !contains(known, name) {
			if len(known) == 0 {
				return fmt.Errorf("has the query parameter %q, but %s:// URLs take none: remove it", safeName(name), scheme)
			}
			return fmt.Errorf("has the unknown query parameter %q: %s:// URLs take %s", safeName(name), scheme, strings.Join(known, ", "))
		}
		if len(q[name]) > 1 {
			return fmt.Errorf("has the query parameter %q more than once: keep one", name)
		}
		if q.Get(name) == "" {
			return fmt.Errorf("has an empty query parameter %q: give it a value or remove it", name)
		}
	}
	return nil
}

// isCredentialParam reports whether name carries a credential, and whether
// it is one of the listed names (rather than only of the x-amz-*, x-goog-*
// or x-ms-* families).
func isCredentialParam(name string) (listed, ok bool) {
	n := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))
	if credentialParams[n] {
		return true, true
	}
	return false, strings.HasPrefix(n, "xamz") || strings.HasPrefix(n, "xgoog") || strings.HasPrefix(n, "xms")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func parseFile(u *url.URL) (*Location, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, errors.New("is a file URL with a host or a relative path (file://" + safeWord(u.Host) + "/...): name an absolute directory with three slashes, as in file:///var/cache/zoho")
	}
	if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
		return nil, errors.New("is a file URL without an absolute path: name the directory with three slashes, as in file:///var/cache/zoho")
	}
	return &Location{scheme: schemeFile, dir: path.Clean(u.Path)}, nil
}

func (l *Location) setBucket(u *url.URL) error {
	what := "bucket"
	if l.scheme == schemeAzure {
		what = "container"
	}
	if u.Host == "" {
		return fmt.Errorf("has no %s: write %s://%s/prefix", what, l.scheme, strings.ToUpper(what))
	}
	if u.Port() != "" || strings.HasSuffix(u.Host, ":") {
		hint := ""
		if l.scheme == schemeS3 {
			hint = "; an S3-compatible server's address goes in ?endpoint=https://host:port"
		}
		return fmt.Errorf("has a port after the %s name: the host part of %s:// is the %s%s", what, l.scheme, what, hint)
	}
	if !bucketName.MatchString(u.Host) {
		return fmt.Errorf("has an invalid %s name %q: use lower-case letters, digits, '.', '-' and '_'", what, safeWord(u.Host))
	}
	l.bucket = u.Host
	return nil
}

// Bucket names all three clouds accept (each is stricter in its own way;
// the store itself has the last word).
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$`)

// A prefix segment: S3's "safe" characters, which every store and every
// bucket policy treat literally.
var prefixSegment = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+$`)

func (l *Location) setPrefix(p string) error {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return errors.New("has an empty segment (\"//\") in its prefix: remove the extra slash")
		case seg == "." || seg == "..":
			return errors.New("has a \".\" or \"..\" segment in its prefix: write the prefix out plainly")
		case !prefixSegment.MatchString(seg):
			return errors.New("has a prefix with characters other than letters, digits and !_.*'()- between its slashes: choose a plainer prefix")
		}
	}
	l.prefix = p
	return nil
}

func (l *Location) setS3Params(q url.Values) error {
	if r := q.Get("region"); r != "" {
		if !regionName.MatchString(r) {
			return errors.New("has an invalid region: give an AWS region name such as eu-west-1 (or what the S3-compatible store expects, such as auto for R2)")
		}
		l.region = r
	}
	if v := q.Get("use_path_style"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("has an invalid use_path_style: set it to true or false")
		}
		l.pathStyle = b
	}
	if e := q.Get("endpoint"); e != "" {
		ep, err := parseEndpoint(e)
		if err != nil {
			return err
		}
		l.endpoint = ep
	}
	return nil
}

var regionName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// parseEndpoint accepts https://host[:port], or http:// on a loopback
// address only: the requests are signed, not encrypted, and an http
// endpoint anywhere else would let the network read and replay them.
func parseEndpoint(raw string) (string, error) {
	const form = "give the server's address as https://host[:port] (http:// only on a loopback address such as 127.0.0.1)"
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", errors.New("has an invalid endpoint: " + form)
	}
	if u.User != nil {
		return "", fmt.Errorf("must not carry credentials (in its endpoint): remove them; %s", credentialChains[schemeS3])
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", errors.New("has an endpoint with a path, query or fragment: " + form)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", errors.New("has an http:// endpoint that is not on a loopback address: use https:// (http:// is only accepted for 127.0.0.1, ::1 or localhost)")
		}
	default:
		return "", errors.New("has an endpoint that is not an http(s) URL: " + form)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", errors.New("has an endpoint with an invalid port: " + form)
		}
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (l *Location) setAzureParams(q url.Values) error {
	if a := q.Get("storage_account"); a != "" {
		if !accountName.MatchString(a) {
			return errors.New("has an invalid storage_account: an Azure storage account name is 3 to 24 lower-case letters and digits")
		}
		l.account = a
	}
	if d := q.Get("domain"); d != "" {
		d = strings.ToLower(d)
		if !azureDomains[d] {
			return errors.New("has an unsupported domain: use one of " + strings.Join(sortedKeys(azureDomains), ", ") + " (or leave it out for the public cloud)")
		}
		l.domain = d
	}
	return nil
}

var accountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

// The Azure clouds' blob domains (those gocloud's azureblob allowed).
var azureDomains = map[string]bool{
	"blob.core.windows.net":       true,
	"blob.core.usgovcloudapi.net": true,
	"blob.core.chinacloudapi.cn":  true,
	"blob.core.cloudapi.de":       true,
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// redact returns u with any user information and every query value
// replaced, for messages that show where the fault is.
func redact(u *url.URL) string {
	r := *u
	if r.User != nil {
		r.User = url.User("REDACTED")
	}
	if r.RawQuery != "" {
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil {
			r.RawQuery = "REDACTED"
		} else {
			shown := url.Values{}
			for k := range q {
				listed, _ := isCredentialParam(k)
				shown[paramName(k, listed)] = []string{"REDACTED"}
			}
			r.RawQuery = strings.ReplaceAll(shown.Encode(), "%E2%80%A6", "…")
		}
	}
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}

// safeWord returns s if it is a short plain word (a scheme, a parameter
// name, a host), else a placeholder: a message may quote what the user
// mistyped, but never something that could be a pasted secret.
func safeWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "…"
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

// safeName is safeWord for a query parameter name or a scheme, where a
// lower-case word is what a typo looks like and anything else may be a
// pasted key.
func safeName(s string) string {
	if plainName.MatchString(s) {
		return s
	}
	return "…"
}

// paramName is how messages show a query parameter's name: as written if
// it is a listed credential name or a plain lower-case word.
func paramName(name string, listed bool) string {
	if listed {
		return name
	}
	return safeName(name)
}

var plainName = regexp.MustCompile(`^[a-z][a-z0-9_.+-]{0,23}$`)
