namespace Chorus.Data;

/// A named monotonic counter (conversation numbers). Incremented inside the writer's transaction.
public class Counter
{
    public string Name { get; set; } = "";
    public long Value { get; set; }
}

/// A workspace-wide setting (for example that this is the demo workspace).
public class WorkspaceSetting
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}
