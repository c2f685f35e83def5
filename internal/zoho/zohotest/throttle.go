package zohotest

import "time"

// mintWindow is Zoho's mint throttle for one refresh token (or one client,
// for client credentials): a window opens at the first mint, and once limit
// mints happened in it every further request is refused until it closes.
// Unlike a sliding window, waiting a little does not help: the block lasts
// "for the rest of the ten minutes".
type mintWindow struct {
	start time.Time
	count int
}

// admit counts one more mint at now if the window allows it.
func (w *mintWindow) admit(now time.Time, limit int, length time.Duration) bool {
	if w.count > 0 && !now.Before(w.start.Add(length)) {
		w.count = 0 // the window closed: the next mint opens a new one
	}
	if w.count >= limit {
		return false
	}
	if w.count == 0 {
		w.start = now
	}
	w.count++
	return true
}

// block fills the window as of now, so nothing is admitted for length.
func (w *mintWindow) block(now time.Time, limit int) {
	w.start = now
	w.count = limit
}

func refreshWindowKey(refreshToken string) string { return "refresh:" + refreshToken }
func clientWindowKey(clientID string) string      { return "client:" + clientID }

// mintWindow returns the window for key, creating it. The caller holds the
// lock.
func (e *Emulator) mintWindow(key string) *mintWindow {
	w := e.windows[key]
	if w == nil {
		w = &mintWindow{}
		e.windows[key] = w
	}
	return w
}

// Throttle blocks refreshToken now, for MintWindow, as if it had just used
// up its mints.
func (e *Emulator) Throttle(refreshToken string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mintWindow(refreshWindowKey(refreshToken)).block(now, e.opts.MintLimit)
}

// ThrottleClientCredentials blocks clientID's client_credentials grant now,
// for MintWindow, as if it had just used up its mints.
func (e *Emulator) ThrottleClientCredentials(clientID string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mintWindow(clientWindowKey(clientID)).block(now, e.opts.MintLimit)
}

// throttleBody is Zoho's throttle answer. Its "error" is not an OAuth code
// but a human phrase, translated with the rest of the message.
type throttleBody struct {
	ErrorDescription string `json:"error_description"`
	Error            string `json:"error"`
	Status           string `json:"status"`
}

var (
	englishThrottle = throttleBody{
		ErrorDescription: "You have made too many requests continuously. Please try again after some time.",
		Error:            "Access Denied",
		Status:           "failure",
	}
	chineseThrottle = throttleBody{
		ErrorDescription: "您已连续提出过多请求，请稍后再试。",
		Error:            "拒绝访问",
		Status:           "failure",
	}
)

// throttleAnswer is the throttle body with the configured status and
// language, counted in Counters.Throttled. The caller holds the lock.
func (e *Emulator) throttleAnswer() answer {
	e.stats.Throttled++
	body := englishThrottle
	if e.sw.localizedThrottle {
		body = chineseThrottle
	}
	return answer{status: e.sw.throttleStatus, body: body}
}
