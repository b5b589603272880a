// Each collection boots a whole DocAIche (the HA one boots two of everything): one at a time on a
// small machine, so no test's timing depends on another system starting beside it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
