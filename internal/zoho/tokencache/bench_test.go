package tokencache_test

import (
	"context"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

func BenchmarkGetMemoryHit(b *testing.B) {
	clk := newClock()
	c := newCache(b, "", clk)
	m := newMinter(clk)
	mustGet(b, c, refreshKey, m, tokencache.SourceMinted)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Get(context.Background(), refreshKey, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetDiskHit is a new process's first Get: a fresh instance reads
// and opens the file.
func BenchmarkGetDiskHit(b *testing.B) {
	dir, clk := b.TempDir(), newClock()
	m := newMinter(clk)
	mustGet(b, newCache(b, dir, clk), refreshKey, m, tokencache.SourceMinted)
	b.ReportAllocs()
	for b.Loop() {
		c := newCache(b, dir, clk)
		if _, src, err := c.Get(context.Background(), refreshKey, m); err != nil || src != tokencache.SourceDisk {
			b.Fatalf("src %v err %v", src, err)
		}
	}
}

func BenchmarkSealOpen(b *testing.B) {
	tok, err := newMinter(newClock()).Mint(context.Background(), refreshKey.Grant())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sealed, err := tokencache.Seal(refreshKey, tok)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tokencache.Open(refreshKey, sealed); err != nil {
			b.Fatal(err)
		}
	}
}
