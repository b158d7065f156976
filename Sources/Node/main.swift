print("meshnode")
