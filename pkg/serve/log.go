package serve

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// logger writes whole lines to the serve log from many goroutines.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, line)
}

// prefixed returns a writer for a worker's output: each line goes to the
// log as "[Function] line".
func (l *logger) prefixed(name string) *prefixWriter {
	return &prefixWriter{l: l, prefix: "[" + name + "] "}
}

type prefixWriter struct {
	l      *logger
	prefix string
	mu     sync.Mutex
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	for {
		i := bytes.IndexByte(p.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := string(p.buf.Next(i + 1))
		p.l.printf("%s%s", p.prefix, line[:len(line)-1])
	}
	if p.buf.Len() > 64<<10 { // a very long line without a newline
		p.l.printf("%s%s", p.prefix, p.buf.String())
		p.buf.Reset()
	}
	return len(b), nil
}

// flush writes what is left of an unfinished line.
func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf.Len() > 0 {
		p.l.printf("%s%s", p.prefix, p.buf.String())
		p.buf.Reset()
	}
}
