package objectstore

import (
	"context"
	"errors"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// Open returns the Store at loc. It sends no request to the store:
// credentials are looked up (and, for GCS, must be found) now, within
// opts.RequestTimeout, but a wrong key, a missing bucket or an unreachable
// server shows in the first Read or Write. ctx may be kept by a
// credential source for later token fetches: pass one that does not end.
func Open(ctx context.Context, loc *Location, opts Options) (tokencache.Store, error) {
	if loc == nil {
		return nil, errors.New("objectstore.Open: nil Location")
	}
	switch loc.scheme {
	case schemeFile:
		return openFile(loc)
	case schemeS3:
		return openS3(ctx, loc, opts)
	case schemeGS:
		return openGCS(ctx, loc, opts)
	case schemeAzure:
		return openAzure(loc, opts)
	}
	return nil, errors.New("objectstore.Open: a Location not made by Parse")
}
