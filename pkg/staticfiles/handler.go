package staticfiles

import (
	"net/http"
	"os"
	"strings"
)

// Handler serves a collection under prefix ("/static/") as the deployed
// environment does: each file with the Content-Type and Cache-Control its
// S3 object gets, Access-Control-Allow-Origin: * as the distribution's
// SimpleCORS response headers policy adds when cors is set, GET and HEAD
// only, and 403 for anything else (S3 answers a missing key so when the
// distribution may not list the bucket).
func Handler(c *Collection, prefix string, cors bool) http.Handler {
	files := make(map[string]File, len(c.Files))
	for _, f := range c.Files {
		files[f.Name] = f
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		f, found := files[name]
		if !ok || !found {
			http.Error(w, "403 Forbidden: no such static file", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			http.Error(w, "500 "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Cache-Control", f.CacheControl)
		w.Header().Set("ETag", `"`+f.SHA256[:32]+`"`)
		if cors {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(data)
	})
}
