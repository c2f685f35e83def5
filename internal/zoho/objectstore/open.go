package objectstore

import (
	"context"
	"errors"

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
		return openAzure(loc)
	}
	return nil, errors.New("objectstore.Open: a Location not made by Parse")
}
