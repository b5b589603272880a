namespace DocAIche.WebSocket.LiveUpdates;

/// <summary>What a client receives: <c>{"id": ..., "type": "document.indexed", "data": {...}}</c>.</summary>
public sealed record LiveEvent(string Id, string Type, object Data);
