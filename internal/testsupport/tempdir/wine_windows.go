package tempdir

import (
	"sync"
	"syscall"
)

// underWine: Wine's ntdll.dll exports wine_get_version; Windows' does not.
var underWine = sync.OnceValue(func() bool {
	return syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})
