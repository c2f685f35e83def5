/*
 * bcryptprimitives.dll for Wine 8.0, which lacks ProcessPrng: Go's Windows
 * runtime (Go >= 1.24) loads it at start and dies without it. Built by
 * scripts/wine-test.sh with x86_64-w64-mingw32-gcc, for the tests under Wine
 * only; never shipped. RtlGenRandom is advapi32's SystemFunction036.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
