package plan

import (
	"sort"

	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// place puts every function in a lambdas stack and names it. A function
// the previous deployment had stays in its stack (CloudFormation would
// create the moved copy before deleting the old one, under the same
// name); new functions, in name order, go to the first stack with room
// (FunctionsPerLambdaStack each), else to a new stack. Without a previous
// record this is the first-deploy layout: stacks filled in name order.
func place(pl *Plan, prev *record.Record) {
	load := map[int]int{}
	placed := make([]bool, len(pl.Functions))
	for i := range pl.Functions {
		f := &pl.Functions[i]
		f.PhysicalName = physicalName(pl.FunctionPrefix, f.Name)
		p, ok := prev.Function(f.Name)
		f.New = !ok
		if ok {
			f.Shard = p.Shard - 1
			load[f.Shard]++
			placed[i] = true
		}
	}
	var order []int
	for i := range pl.Functions {
		if !placed[i] {
			order = append(order, i)
		}
	}
	sort.Slice(order, func(a, b int) bool { return pl.Functions[order[a]].Name < pl.Functions[order[b]].Name })
	shard := 0
	for _, i := range order {
		for load[shard] >= FunctionsPerLambdaStack {
			shard++
		}
		pl.Functions[i].Shard = shard
		load[shard]++
	}
	pl.LambdaShards = 1
	for _, f := range pl.Functions {
		if f.Shard+1 > pl.LambdaShards {
			pl.LambdaShards = f.Shard + 1
		}
	}
}
