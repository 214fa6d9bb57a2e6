package cfnfake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// schema is what the fake knows of a resource type (schemas_gen.go).
type schema struct {
	CreateOnly            []string // property paths ("FunctionName", "Code/S3Key")
	ConditionalCreateOnly []string
	Taggable              bool
	Attributes            []string // Fn::GetAtt names ("Arn", "SnapStartResponse.ApplyOn")
	PrimaryIdentifier     []string
}

// recreation says what a change at path does: Always for a
// createOnlyProperty (or anything below one), Conditionally for a
// conditionalCreateOnlyProperty, else Never.
func recreation(typ, path string) string {
	sc := schemas[typ]
	if sc == nil {
		return "Never"
	}
	path = strings.TrimPrefix(path, "/")
	match := func(list []string) bool {
		for _, p := range list {
			if pathCovers(p, path) {
				return true
			}
		}
		return false
	}
	switch {
	case match(sc.CreateOnly):
		return "Always"
	case match(sc.ConditionalCreateOnly):
		return "Conditionally"
	}
	return "Never"
}

// pathCovers reports whether a change at path touches the schema path p
// (p may use * for any list index): path is p, below p, or above it.
func pathCovers(p, path string) bool {
	ps, xs := strings.Split(p, "/"), strings.Split(path, "/")
	n := len(ps)
	if len(xs) < n {
		n = len(xs)
	}
	for i := 0; i < n; i++ {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func taggable(typ string) bool {
	sc := schemas[typ]
	return sc != nil && sc.Taggable
}

// hasAttribute reports whether Fn::GetAtt may read attr of typ. Types
// the table does not know accept any attribute.
func hasAttribute(typ, attr string) bool {
	if typ == StackType {
		return strings.HasPrefix(attr, "Outputs.") || attr == "StackId"
	}
	sc := schemas[typ]
	if sc == nil {
		return true
	}
	for _, a := range sc.Attributes {
		if a == attr {
			return true
		}
	}
	return false
}

// nameProps are the properties that give a resource its physical name,
// unique in the account (and region) for its type.
var nameProps = map[string]string{
	"AWS::Lambda::Function":                "FunctionName",
	"AWS::IAM::Role":                       "RoleName",
	"AWS::Logs::LogGroup":                  "LogGroupName",
	"AWS::S3::Bucket":                      "BucketName",
	"AWS::Scheduler::Schedule":             "Name",
	"AWS::Lambda::LayerVersion":            "LayerName",
	"AWS::SNS::Topic":                      "TopicName",
	"AWS::SQS::Queue":                      "QueueName",
	"AWS::ApiGateway::DomainName":          "DomainName",
	"AWS::ApiGatewayV2::DomainName":        "DomainName",
	"AWS::CloudFront::OriginAccessControl": "OriginAccessControlConfig/Name",
	"AWS::Events::Rule":                    "Name",
}

// customName is the explicit physical name a resource's properties give
// it, or "".
func customName(typ string, props map[string]any) string {
	p, ok := nameProps[typ]
	if !ok {
		return ""
	}
	var v any = props
	for _, part := range strings.Split(p, "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[part]
	}
	s, _ := v.(string)
	return s
}

// physicalName is the name CloudFormation generates when the template
// gives none: stack name, logical ID and a suffix, cut to the type's
// limit.
func (s *Server) physicalName(st *stack, logical string, limit int) string {
	name := fmt.Sprintf("%s-%s-%s", st.name, logical, s.suffix())
	if limit > 0 && len(name) > limit {
		name = name[len(name)-limit:]
		name = strings.TrimLeft(name, "-")
	}
	return name
}

// suffix is a deterministic 12-character uppercase identifier.
func (s *Server) suffix() string {
	return fmt.Sprintf("X%011d", s.next())
}

func (s *Server) shortID() string {
	return fmt.Sprintf("%010d", s.next())
}

// materialize gives a new resource its physical ID and attributes, from
// its evaluated properties: what Ref and Fn::GetAtt return.
func (s *Server) materialize(st *stack, r *resource) {
	region, acct := s.sc.Region, s.sc.Account
	p := r.props
	name := customName(r.typ, p)
	attrs := map[string]string{}
	arn := func(service, rest string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, acct, rest)
	}
	switch r.typ {
	case "AWS::Lambda::Function":
		if name == "" {
			name = s.physicalName(st, r.logical, 64)
		}
		r.physical = name
		attrs["Arn"] = arn("lambda", "function:"+name)
	case "AWS::Lambda::Version":
		fn := str(p["FunctionName"])
		fnName := fn
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fnName = fn[i+len(":function:"):]
		}
		v := s.world.publish(fnName)
		r.physical = arn("lambda", fmt.Sprintf("function:%s:%d", fnName, v))
		attrs["Version"] = fmt.Sprint(v)
		attrs["FunctionArn"] = arn("lambda", "function:"+fnName)
	case "AWS::Lambda::Alias":
		fn := str(p["FunctionName"])
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fn = fn[i+len(":function:"):]
		}
		r.physical = arn("lambda", fmt.Sprintf("function:%s:%s", fn, str(p["Name"])))
		attrs["AliasArn"] = r.physical
	case "AWS::Lambda::LayerVersion":
		if name == "" {
			name = s.physicalName(st, r.logical, 64)
		}
		n := s.world.layerVersion(name)
		r.physical = arn("lambda", fmt.Sprintf("layer:%s:%d", name, n))
		attrs["LayerVersionArn"] = r.physical
	case "AWS::Lambda::Url":
		id := strings.ToLower(s.shortID())
		attrs["FunctionUrl"] = "https://" + id + ".lambda-url." + region + ".on.aws/"
		attrs["FunctionArn"] = str(p["TargetFunctionArn"])
		r.physical = attrs["FunctionArn"]
	case "AWS::IAM::Role":
		if name == "" {
			name = s.physicalName(st, r.logical, 64)
		}
		r.physical = name
		attrs["Arn"] = fmt.Sprintf("arn:aws:iam::%s:role%s%s", acct, pathOr(str(p["Path"])), name)
		attrs["RoleId"] = "AROA" + s.suffix()
	case "AWS::Logs::LogGroup":
		if name == "" {
			name = s.physicalName(st, r.logical, 512)
		}
		r.physical = name
		attrs["Arn"] = arn("logs", "log-group:"+name+":*")
	case "AWS::S3::Bucket":
		if name == "" {
			name = strings.ToLower(s.physicalName(st, r.logical, 63))
		}
		r.physical = name
		attrs["Arn"] = "arn:aws:s3:::" + name
		attrs["DomainName"] = name + ".s3.amazonaws.com"
		attrs["RegionalDomainName"] = name + ".s3." + region + ".amazonaws.com"
		attrs["DualStackDomainName"] = name + ".s3.dualstack." + region + ".amazonaws.com"
		attrs["WebsiteURL"] = "http://" + name + ".s3-website-" + region + ".amazonaws.com"
	case "AWS::Scheduler::Schedule":
		if name == "" {
			name = s.physicalName(st, r.logical, 64)
		}
		r.physical = name
		group := str(p["GroupName"])
		if group == "" {
			group = "default"
		}
		attrs["Arn"] = arn("scheduler", "schedule/"+group+"/"+name)
	case "AWS::SNS::Topic":
		if name == "" {
			name = s.physicalName(st, r.logical, 256)
		}
		r.physical = arn("sns", name)
		attrs["TopicArn"] = r.physical
		attrs["TopicName"] = name
	case "AWS::SQS::Queue":
		if name == "" {
			name = s.physicalName(st, r.logical, 80)
		}
		r.physical = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, acct, name)
		attrs["Arn"] = arn("sqs", name)
		attrs["QueueName"] = name
		attrs["QueueUrl"] = r.physical
	case "AWS::ApiGateway::RestApi":
		r.physical = strings.ToLower(s.shortID())
		attrs["RestApiId"] = r.physical
		attrs["RootResourceId"] = "root" + strings.ToLower(s.shortID())[4:]
	case "AWS::ApiGateway::Resource":
		r.physical = "res" + strings.ToLower(s.shortID())[3:]
		attrs["ResourceId"] = r.physical
	case "AWS::ApiGateway::Deployment":
		r.physical = "dep" + strings.ToLower(s.shortID())[3:]
		attrs["DeploymentId"] = r.physical
	case "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage":
		r.physical = str(p["StageName"])
	case "AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName":
		r.physical = name
		attrs["DistributionDomainName"] = "d" + strings.ToLower(s.shortID()) + ".cloudfront.net"
		attrs["DistributionHostedZoneId"] = "Z2FDTNDATAQYW2"
		attrs["RegionalDomainName"] = "d-" + strings.ToLower(s.shortID()) + ".execute-api." + region + ".amazonaws.com"
		attrs["RegionalHostedZoneId"] = "Z1UJRXOUMOOFQ8"
	case "AWS::ApiGatewayV2::Api":
		r.physical = strings.ToLower(s.shortID())
		attrs["ApiId"] = r.physical
		attrs["ApiEndpoint"] = "https://" + r.physical + ".execute-api." + region + ".amazonaws.com"
	case "AWS::ApiGatewayV2::Route":
		r.physical = "rt" + strings.ToLower(s.shortID())[2:]
		attrs["RouteId"] = r.physical
	case "AWS::ApiGatewayV2::Integration":
		r.physical = "in" + strings.ToLower(s.shortID())[2:]
		attrs["IntegrationId"] = r.physical
	case "AWS::AppSync::GraphQLApi":
		id := strings.ToLower(s.suffix()) + "appsyncapi"
		r.physical = arn("appsync", "apis/"+id)
		attrs["ApiId"] = id
		attrs["Arn"] = r.physical
		attrs["GraphQLUrl"] = "https://" + id + ".appsync-api." + region + ".amazonaws.com/graphql"
		attrs["GraphQLDns"] = id + ".appsync-api." + region + ".amazonaws.com"
		attrs["RealtimeUrl"] = "wss://" + id + ".appsync-realtime-api." + region + ".amazonaws.com/graphql"
		attrs["RealtimeDns"] = id + ".appsync-realtime-api." + region + ".amazonaws.com"
		attrs["GraphQLEndpointArn"] = r.physical
	case "AWS::AppSync::ApiKey":
		key := "da2-" + strings.ToLower(s.suffix())
		r.physical = arn("appsync", "apis/"+str(p["ApiId"])+"/apikeys/"+key)
		attrs["ApiKey"] = key
		attrs["ApiKeyId"] = key
		attrs["Arn"] = r.physical
	case "AWS::AppSync::DataSource":
		r.physical = arn("appsync", "apis/"+str(p["ApiId"])+"/datasources/"+str(p["Name"]))
		attrs["DataSourceArn"] = r.physical
		attrs["Name"] = str(p["Name"])
	case "AWS::AppSync::Resolver":
		r.physical = arn("appsync", "apis/"+str(p["ApiId"])+"/types/"+str(p["TypeName"])+"/resolvers/"+str(p["FieldName"]))
		attrs["ResolverArn"] = r.physical
		attrs["TypeName"] = str(p["TypeName"])
		attrs["FieldName"] = str(p["FieldName"])
	case "AWS::AppSync::GraphQLSchema":
		r.physical = str(p["ApiId"]) + "GraphQLSchema"
	case "AWS::CloudFront::Distribution":
		r.physical = "E" + s.suffix()
		attrs["Id"] = r.physical
		attrs["DomainName"] = "d" + strings.ToLower(s.shortID()) + ".cloudfront.net"
	case "AWS::CloudFront::OriginAccessControl":
		r.physical = "E" + s.suffix()
		attrs["Id"] = r.physical
	case "AWS::Route53::RecordSet":
		r.physical = strings.TrimSuffix(str(p["Name"]), ".")
	default:
		r.physical = s.physicalName(st, r.logical, 128)
	}
	if sc := schemas[r.typ]; sc != nil {
		for _, a := range sc.Attributes {
			if _, ok := attrs[a]; !ok {
				attrs[a] = r.physical + "|" + a
			}
		}
	}
	r.attrs = attrs
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// claim is a key in the account that a resource holds while it exists:
// a physical name, an API path part under a parent, a route key... Two
// resources cannot hold the same key; the second fails with msg.
type claim struct {
	key string
	// msg is the error of a conflict; "{other}" in it is replaced by the
	// label of the resource holding the key.
	msg   string
	label string
}

// handler wraps a service error the way CloudFormation's resource
// handlers report it.
func handlerMsg(msg, code string) string {
	return fmt.Sprintf("Resource handler returned message: %q (RequestToken: 00000000-0000-4000-a000-000000000000, HandlerErrorCode: %s)", msg, code)
}

func alreadyExists(typ, id string) string {
	return handlerMsg(fmt.Sprintf("Resource of type '%s' with identifier '%s' already exists.", typ, id), "AlreadyExists")
}

// claims lists the account-level keys a resource with these (evaluated)
// properties takes, with AWS's message for a conflict.
func claims(typ string, p map[string]any, physical string) []claim {
	var out []claim
	name := customName(typ, p)
	switch typ {
	case "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Scheduler::Schedule", "AWS::SNS::Topic", "AWS::SQS::Queue",
		"AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName", "AWS::Events::Rule":
		if name == "" {
			name = physical
		}
		key := typ + "|" + name
		if typ == "AWS::ApiGateway::DomainName" || typ == "AWS::ApiGatewayV2::DomainName" {
			// One custom domain name object whichever API created it:
			// "You can map HTTP and REST API stages to the same custom
			// domain name" (API Gateway, API mappings).
			key = "apigw-domain|" + name
		}
		if typ == "AWS::Scheduler::Schedule" {
			g := str(p["GroupName"])
			if g == "" {
				g = "default"
			}
			key = typ + "|" + g + "/" + name
		}
		out = append(out, claim{key: key, msg: alreadyExists(typ, name)})
	case "AWS::Logs::LogGroup":
		if name == "" {
			name = physical
		}
		id, _ := json.Marshal(map[string]string{"/properties/LogGroupName": name})
		out = append(out, claim{key: typ + "|" + name, msg: alreadyExists(typ, string(id))})
	case "AWS::S3::Bucket":
		if name == "" {
			name = physical
		}
		out = append(out, claim{key: typ + "|" + name, msg: handlerMsg(name+" already exists", "AlreadyExists")})
	case "AWS::CloudFront::OriginAccessControl":
		out = append(out, claim{key: typ + "|" + name, msg: handlerMsg("An origin access control with the same name already exists.", "AlreadyExists")})
	case "AWS::Lambda::Alias":
		fn := str(p["FunctionName"])
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fn = fn[i+len(":function:"):]
		}
		out = append(out, claim{key: typ + "|" + fn + "|" + str(p["Name"]), msg: handlerMsg("Alias already exists: "+physical, "AlreadyExists")})
	case "AWS::ApiGateway::Resource":
		api, parent, part := str(p["RestApiId"]), str(p["ParentId"]), str(p["PathPart"])
		out = append(out, claim{key: "apigw-resource|" + api + "|" + parent + "|" + part,
			msg: apiGatewayMsg("Another resource with the same parent already has this name: "+part, 409, "ConflictException")})
		if strings.HasPrefix(part, "{") {
			out = append(out, claim{key: "apigw-variable|" + api + "|" + parent, label: part,
				msg: apiGatewayMsg("A sibling ({other}) of this resource already has a variable path part -- only one is allowed", 400, "BadRequestException")})
		}
	case "AWS::ApiGateway::Method":
		out = append(out, claim{key: "apigw-method|" + str(p["RestApiId"]) + "|" + str(p["ResourceId"]) + "|" + strings.ToUpper(str(p["HttpMethod"])),
			msg: apiGatewayMsg("Method already exists for this resource", 409, "ConflictException")})
	case "AWS::ApiGateway::Stage":
		out = append(out, claim{key: "apigw-stage|" + str(p["RestApiId"]) + "|" + str(p["StageName"]),
			msg: apiGatewayMsg("Stage already exists", 409, "ConflictException")})
	case "AWS::ApiGatewayV2::Stage":
		out = append(out, claim{key: "apigwv2-stage|" + str(p["ApiId"]) + "|" + str(p["StageName"]),
			msg: handlerMsg("Stage already exists", "AlreadyExists")})
	case "AWS::ApiGatewayV2::Route":
		key := str(p["RouteKey"])
		out = append(out, claim{key: "apigwv2-route|" + str(p["ApiId"]) + "|" + key,
			msg: handlerMsg(fmt.Sprintf("Route with key '%s' already exists", key), "AlreadyExists")})
		if shape := routeShape(key); shape != key {
			out = append(out, claim{key: "apigwv2-shape|" + str(p["ApiId"]) + "|" + shape, label: key,
				msg: handlerMsg(fmt.Sprintf("The provided route key %q has a conflicting variable on the same hierarchical level as \"{other}\"", key), "AlreadyExists")})
		}
	case "AWS::AppSync::Resolver":
		out = append(out, claim{key: "appsync-resolver|" + str(p["ApiId"]) + "|" + str(p["TypeName"]) + "|" + str(p["FieldName"]),
			msg: "Only one resolver is allowed per field. (Service: AWSAppSync; Status Code: 400; Error Code: BadRequestException; Request ID: 00000000-0000-4000-a000-000000000000; Proxy: null)"})
	case "AWS::AppSync::DataSource":
		out = append(out, claim{key: "appsync-datasource|" + str(p["ApiId"]) + "|" + str(p["Name"]),
			msg: handlerMsg("Data source with name "+str(p["Name"])+" already exists", "AlreadyExists")})
	case "AWS::Route53::RecordSet":
		zone := str(p["HostedZoneId"]) + str(p["HostedZoneName"])
		n := strings.TrimSuffix(str(p["Name"]), ".") + "."
		out = append(out, claim{key: "route53|" + zone + "|" + n + "|" + str(p["Type"]),
			msg: fmt.Sprintf("[Tried to create resource record set [name='%s', type='%s'] but it already exists]", n, str(p["Type"]))})
	}
	return out
}

func apiGatewayMsg(msg string, status int, code string) string {
	return fmt.Sprintf("%s (Service: AmazonApiGateway; Status Code: %d; Error Code: %s; Request ID: 00000000-0000-4000-a000-000000000000; Proxy: null)", msg, status, code)
}

// routeShape replaces the variables of an HTTP API route key with {}:
// two routes of the same shape with different variable names conflict.
func routeShape(key string) string {
	method, path, ok := strings.Cut(key, " ")
	if !ok {
		return key
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if strings.HasSuffix(p, "+}") {
				parts[i] = "{+}"
			} else {
				parts[i] = "{}"
			}
		}
	}
	return method + " " + strings.Join(parts, "/")
}

// versionConfig is what Lambda compares when it publishes a version: the
// function's code and configuration (tags are not versioned).
func versionConfig(fn map[string]any) string {
	c := map[string]any{}
	for k, v := range fn {
		if k == "Tags" {
			continue
		}
		c[k] = plain(v)
	}
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// world is the account: which keys resources hold, the versions Lambda
// published, the layer versions, the exports.
type world struct {
	holders  map[string]holding // claim key -> who holds it
	versions map[string][]published
	layers   map[string]int
	exports  map[string]string
	// functions maps a function name to the configuration hash of its
	// current code and configuration.
	functions map[string]string
}

type holding struct{ holder, label string }

type published struct {
	n    int
	hash string
}

func newWorld() *world {
	return &world{holders: map[string]holding{}, versions: map[string][]published{},
		layers: map[string]int{}, exports: map[string]string{}, functions: map[string]string{}}
}

// take claims every key, or returns the message of the first conflict
// (nothing is taken then).
func (w *world) take(holder string, cs []claim) string {
	for _, c := range cs {
		h, ok := w.holders[c.key]
		if !ok || h.holder == holder {
			continue
		}
		return strings.ReplaceAll(c.msg, "{other}", h.label)
	}
	for _, c := range cs {
		w.holders[c.key] = holding{holder: holder, label: c.label}
	}
	return ""
}

func (w *world) release(holder string, cs []claim) {
	for _, c := range cs {
		if w.holders[c.key].holder == holder {
			delete(w.holders, c.key)
		}
	}
}

// publish records a new version of fn and returns its number; canPublish
// says beforehand whether Lambda would publish one.
func (w *world) publish(fn string) int {
	list := w.versions[fn]
	n := 1
	if len(list) > 0 {
		n = list[len(list)-1].n + 1
	}
	w.versions[fn] = append(list, published{n: n, hash: w.functions[fn]})
	return n
}

// canPublish returns "" or AWS's message when the function's code and
// configuration are those of its latest published version.
func (w *world) canPublish(fn string) string {
	list := w.versions[fn]
	if len(list) == 0 {
		return ""
	}
	last := list[len(list)-1]
	if last.hash == w.functions[fn] {
		return handlerMsg(fmt.Sprintf("A version for this Lambda function exists ( %d ). Modify the function to create a new version.", last.n), "AlreadyExists")
	}
	return ""
}

func (w *world) layerVersion(name string) int {
	w.layers[name]++
	return w.layers[name]
}
