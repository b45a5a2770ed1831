// Moved to components/ui (the keys forms use it too); kept here for the catalog's imports.
export { NativeSelect } from "@/components/ui/native-select";
