package lambdafake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CloudFormation stands up, in the fake, the Lambda resources a
// CloudFormation stand-in reports (internal/cfnfake's OnResource): what
// the Lambda service does when CloudFormation calls it. Layer versions are
// read from S3 (Fetch: moto in tests) when created; a function gets its
// code and layers, runtime, handler, timeout, memory and environment
// variables from its evaluated properties; a version is published under
// the number CloudFormation reported; an alias points at it. Problems are
// kept (Err) for the test to check: the hook cannot fail the stack.
type CloudFormation struct {
	Server *Server
	Fetch  func(bucket, key string) ([]byte, error)

	mu     sync.Mutex
	layers map[string][]byte // layer version ARN -> zip
	errs   []error
}

// Err returns the problems met so far.
func (c *CloudFormation) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

// Apply handles one completed resource operation.
func (c *CloudFormation) Apply(action, typ, physical string, props map[string]any, attrs map[string]string) {
	if err := c.apply(action, typ, physical, props, attrs); err != nil {
		c.mu.Lock()
		c.errs = append(c.errs, fmt.Errorf("%s %s %s: %w", action, typ, physical, err))
		c.mu.Unlock()
	}
}

func (c *CloudFormation) apply(action, typ, physical string, props map[string]any, attrs map[string]string) error {
	switch typ {
	case "AWS::Lambda::LayerVersion":
		if action == "DELETE" {
			return nil // functions already using a deleted layer version keep it
		}
		content, _ := props["Content"].(map[string]any)
		data, err := c.Fetch(str(content["S3Bucket"]), str(content["S3Key"]))
		if err != nil {
			return err
		}
		c.mu.Lock()
		if c.layers == nil {
			c.layers = map[string][]byte{}
		}
		c.layers[physical] = data
		c.mu.Unlock()
	case "AWS::Lambda::Function":
		if action == "DELETE" {
			c.Server.Delete(physical)
			return nil
		}
		code, _ := props["Code"].(map[string]any)
		zip, err := c.Fetch(str(code["S3Bucket"]), str(code["S3Key"]))
		if err != nil {
			return err
		}
		f := Function{Name: physical, Runtime: str(props["Runtime"]), Handler: str(props["Handler"]), Code: zip,
			Timeout: time.Duration(num(props["Timeout"], 3)) * time.Second, Memory: num(props["MemorySize"], 128)}
		if l, ok := props["Layers"].([]any); ok {
			for _, arn := range l {
				c.mu.Lock()
				data, ok := c.layers[str(arn)]
				c.mu.Unlock()
				if !ok {
					return fmt.Errorf("layer %s is not known", str(arn))
				}
				f.Layers = append(f.Layers, data)
			}
		}
		if e, ok := props["Environment"].(map[string]any); ok {
			if vars, ok := e["Variables"].(map[string]any); ok {
				f.Env = map[string]string{}
				for k, v := range vars {
					f.Env[k] = str(v)
				}
			}
		}
		return c.Server.Put(f)
	case "AWS::Lambda::Version":
		if action == "DELETE" {
			return nil
		}
		name := functionName(attrs["FunctionArn"])
		if name == "" {
			name = functionName(str(props["FunctionName"]))
		}
		return c.Server.PublishAs(name, attrs["Version"])
	case "AWS::Lambda::Alias":
		if action == "DELETE" {
			return nil
		}
		return c.Server.SetAlias(functionName(str(props["FunctionName"])), str(props["Name"]), str(props["FunctionVersion"]))
	}
	return nil
}

// functionName is the name in a function name or ARN.
func functionName(s string) string {
	if i := strings.LastIndex(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
		if j := strings.IndexByte(s, ':'); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

func num(v any, def int) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case uint64:
		return int(x)
	case float64:
		return int(x)
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return def
}
