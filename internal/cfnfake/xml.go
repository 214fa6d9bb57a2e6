package cfnfake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

const xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// writeResult writes <ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata/></ActionResponse>, the query protocol's envelope.
func writeResult(w http.ResponseWriter, action string, res any) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `<%sResponse xmlns="%s">`, action, xmlns)
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		writeError(w, 500, "Receiver", "InternalFailure", err.Error())
		return
	}
	fmt.Fprintf(&buf, `<ResponseMetadata><RequestId>00000000-0000-4000-a000-000000000000</RequestId></ResponseMetadata></%sResponse>`, action)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-4000-a000-000000000000")
	_, _ = w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(msg))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-4000-a000-000000000000</RequestId></ErrorResponse>`,
		xmlns, typ, code, esc.String())
}

type xmlCreateChangeSet struct {
	ID      string `xml:"Id"`
	StackID string `xml:"StackId"`
}

type xmlStackID struct {
	StackID string `xml:"StackId"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlParam struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
}

func tagList(m map[string]string) []xmlTag {
	var out []xmlTag
	for _, k := range sortedKeys(m) {
		out = append(out, xmlTag{k, m[k]})
	}
	return out
}

func paramList(m map[string]string) []xmlParam {
	var out []xmlParam
	for _, k := range sortedKeys(m) {
		out = append(out, xmlParam{k, m[k]})
	}
	return out
}

type xmlTarget struct {
	Attribute           string `xml:"Attribute,omitempty"`
	Name                string `xml:"Name,omitempty"`
	RequiresRecreation  string `xml:"RequiresRecreation,omitempty"`
	Path                string `xml:"Path,omitempty"`
	BeforeValue         string `xml:"BeforeValue,omitempty"`
	AfterValue          string `xml:"AfterValue,omitempty"`
	AttributeChangeType string `xml:"AttributeChangeType,omitempty"`
}

type xmlDetail struct {
	Target        xmlTarget `xml:"Target"`
	Evaluation    string    `xml:"Evaluation,omitempty"`
	ChangeSource  string    `xml:"ChangeSource,omitempty"`
	CausingEntity string    `xml:"CausingEntity,omitempty"`
}

type xmlResourceChange struct {
	PolicyAction       string      `xml:"PolicyAction,omitempty"`
	Action             string      `xml:"Action"`
	LogicalResourceID  string      `xml:"LogicalResourceId"`
	PhysicalResourceID string      `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string      `xml:"ResourceType"`
	Replacement        string      `xml:"Replacement,omitempty"`
	Scope              []string    `xml:"Scope>member"`
	Details            []xmlDetail `xml:"Details>member"`
	ChangeSetID        string      `xml:"ChangeSetId,omitempty"`
	BeforeContext      string      `xml:"BeforeContext,omitempty"`
	AfterContext       string      `xml:"AfterContext,omitempty"`
}

type xmlChange struct {
	Type           string            `xml:"Type"`
	ResourceChange xmlResourceChange `xml:"ResourceChange"`
}

type xmlDescribeChangeSet struct {
	ChangeSetID         string      `xml:"ChangeSetId"`
	ChangeSetName       string      `xml:"ChangeSetName"`
	StackID             string      `xml:"StackId"`
	StackName           string      `xml:"StackName"`
	Status              string      `xml:"Status"`
	StatusReason        string      `xml:"StatusReason,omitempty"`
	ExecutionStatus     string      `xml:"ExecutionStatus"`
	Description         string      `xml:"Description,omitempty"`
	CreationTime        time.Time   `xml:"CreationTime"`
	Capabilities        []string    `xml:"Capabilities>member"`
	Parameters          []xmlParam  `xml:"Parameters>member"`
	Tags                []xmlTag    `xml:"Tags>member"`
	IncludeNestedStacks bool        `xml:"IncludeNestedStacks"`
	ParentChangeSetID   string      `xml:"ParentChangeSetId,omitempty"`
	RootChangeSetID     string      `xml:"RootChangeSetId,omitempty"`
	Changes             []xmlChange `xml:"Changes>member"`
	NextToken           string      `xml:"NextToken,omitempty"`
}

type xmlSummary struct {
	ChangeSetID         string    `xml:"ChangeSetId"`
	ChangeSetName       string    `xml:"ChangeSetName"`
	StackID             string    `xml:"StackId"`
	StackName           string    `xml:"StackName"`
	Status              string    `xml:"Status"`
	StatusReason        string    `xml:"StatusReason,omitempty"`
	ExecutionStatus     string    `xml:"ExecutionStatus"`
	CreationTime        time.Time `xml:"CreationTime"`
	IncludeNestedStacks bool      `xml:"IncludeNestedStacks"`
	ParentChangeSetID   string    `xml:"ParentChangeSetId,omitempty"`
	RootChangeSetID     string    `xml:"RootChangeSetId,omitempty"`
}

type xmlListChangeSets struct {
	Summaries []xmlSummary `xml:"Summaries>member"`
}

type xmlOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
}

type xmlStack struct {
	StackID                     string      `xml:"StackId"`
	StackName                   string      `xml:"StackName"`
	ChangeSetID                 string      `xml:"ChangeSetId,omitempty"`
	CreationTime                time.Time   `xml:"CreationTime"`
	LastUpdatedTime             string      `xml:"LastUpdatedTime,omitempty"`
	StackStatus                 string      `xml:"StackStatus"`
	StackStatusReason           string      `xml:"StackStatusReason,omitempty"`
	EnableTerminationProtection bool        `xml:"EnableTerminationProtection"`
	ParentID                    string      `xml:"ParentId,omitempty"`
	RootID                      string      `xml:"RootId,omitempty"`
	Parameters                  []xmlParam  `xml:"Parameters>member"`
	Outputs                     []xmlOutput `xml:"Outputs>member"`
	Tags                        []xmlTag    `xml:"Tags>member"`
}

type xmlDescribeStacks struct {
	Stacks []xmlStack `xml:"Stacks>member"`
}

type xmlEvent struct {
	EventID              string    `xml:"EventId"`
	StackID              string    `xml:"StackId"`
	StackName            string    `xml:"StackName"`
	LogicalResourceID    string    `xml:"LogicalResourceId"`
	PhysicalResourceID   string    `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string    `xml:"ResourceType"`
	Timestamp            time.Time `xml:"Timestamp"`
	ResourceStatus       string    `xml:"ResourceStatus"`
	ResourceStatusReason string    `xml:"ResourceStatusReason,omitempty"`
}

type xmlDescribeStackEvents struct {
	StackEvents []xmlEvent `xml:"StackEvents>member"`
	NextToken   string     `xml:"NextToken,omitempty"`
}

type xmlGetTemplate struct {
	TemplateBody    string   `xml:"TemplateBody"`
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

type xmlStackResource struct {
	StackName            string    `xml:"StackName"`
	StackID              string    `xml:"StackId"`
	LogicalResourceID    string    `xml:"LogicalResourceId"`
	PhysicalResourceID   string    `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string    `xml:"ResourceType"`
	Timestamp            time.Time `xml:"Timestamp"`
	ResourceStatus       string    `xml:"ResourceStatus"`
	ResourceStatusReason string    `xml:"ResourceStatusReason,omitempty"`
}

type xmlDescribeStackResources struct {
	StackResources []xmlStackResource `xml:"StackResources>member"`
}

type xmlStackResourceSummary struct {
	LogicalResourceID    string    `xml:"LogicalResourceId"`
	PhysicalResourceID   string    `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string    `xml:"ResourceType"`
	LastUpdatedTimestamp time.Time `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string    `xml:"ResourceStatus"`
	ResourceStatusReason string    `xml:"ResourceStatusReason,omitempty"`
}

type xmlListStackResources struct {
	Summaries []xmlStackResourceSummary `xml:"StackResourceSummaries>member"`
	NextToken string                    `xml:"NextToken,omitempty"`
}

// jsonText is a value as AWS puts it in BeforeValue/AfterValue and the
// contexts: strings as they are, anything else as JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
