//go:build !windows

package tempdir

func underWine() bool { return false }
